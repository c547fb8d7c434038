//! JSON-RPC 2.0 framing for MCP: the messages the probe sends and how answers are told apart.

use serde_json::{Value, json};

/// The version offered in `initialize`. Any known version in the answer is accepted.
pub(crate) const OFFERED_VERSION: &str = "2025-11-25";
/// The modern era, which drops `initialize` for `server/discover`.
pub(crate) const MODERN_VERSION: &str = "2026-07-28";
pub(crate) const KNOWN_VERSIONS: [&str; 5] = [
    "2024-11-05",
    "2025-03-26",
    "2025-06-18",
    "2025-11-25",
    MODERN_VERSION,
];

/// The one capability set mcpctl declares. Servers list different tools for different client
/// capabilities, so it is fixed and reported, which keeps tool counts comparable run to run.
pub(crate) fn client_capabilities() -> Value {
    json!({})
}

pub(crate) fn request(id: u64, method: &str, params: &Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

pub(crate) fn notification(method: &str) -> Value {
    json!({"jsonrpc": "2.0", "method": method})
}

pub(crate) fn initialize_params() -> Value {
    json!({
        "protocolVersion": OFFERED_VERSION,
        "capabilities": client_capabilities(),
        "clientInfo": {"name": "mcpctl", "version": env!("CARGO_PKG_VERSION")},
    })
}

pub(crate) fn discover_params() -> Value {
    json!({"_meta": {
        "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
        "io.modelcontextprotocol/clientCapabilities": client_capabilities(),
    }})
}

/// An error object from a JSON-RPC response.
#[derive(Debug, Clone)]
pub(crate) struct RpcError {
    pub code: i64,
    pub message: String,
    /// `data.supported` of an UnsupportedProtocolVersion (-32022) error.
    pub supported: Vec<String>,
}

/// UnsupportedProtocolVersion: the server names the versions it supports in `data.supported`.
pub(crate) const UNSUPPORTED_VERSION: i64 = -32022;

pub(crate) enum Incoming {
    Response {
        id: u64,
        result: Result<Value, RpcError>,
    },
    /// A request from the server (sampling, roots, …): answered with "method not found".
    Request {
        id: Value,
    },
    Notification,
    /// Valid JSON that is not JSON-RPC 2.0.
    Invalid,
}

pub(crate) fn classify(mut msg: Value) -> Incoming {
    let Some(obj) = msg.as_object_mut() else {
        return Incoming::Invalid;
    };
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Incoming::Invalid;
    }
    match (obj.contains_key("method"), obj.get("id")) {
        (true, Some(id)) => Incoming::Request { id: id.clone() },
        (true, None) => Incoming::Notification,
        (false, Some(id)) => {
            let Some(id) = id.as_u64() else {
                return Incoming::Invalid;
            };
            let result = if let Some(err) = obj.remove("error") {
                Err(RpcError {
                    code: err.get("code").and_then(Value::as_i64).unwrap_or(0),
                    message: err
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned(),
                    supported: err
                        .pointer("/data/supported")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
            } else {
                Ok(obj.remove("result").unwrap_or(Value::Null))
            };
            Incoming::Response { id, result }
        }
        (false, None) => Incoming::Invalid,
    }
}

pub(crate) const METHOD_NOT_FOUND: i64 = -32601;

pub(crate) fn method_not_found(id: &Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": METHOD_NOT_FOUND, "message": "Method not found"}})
}
