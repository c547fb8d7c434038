//! Small value types that config and the domain modules share. A leaf: it imports none of the
//! modules config configures, so config can hold these without depending on them.

pub mod category;
pub mod grammar;
pub mod recipe;
pub mod window;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Stdio,
    Http,
    Sse,
}
