//! `mcpctl mcp-server`: the config and state dir once, then the server, over stdio or HTTP,
//! until the client leaves (stdio) or SIGINT/SIGTERM (HTTP). No healthchecks ping: serving is
//! not a monitored run.

use super::Ctx;
use crate::cli::McpServerArgs;
use crate::error::Result;
use crate::exit::Code;
use crate::mcp_server::{self, HttpOptions, Options};

pub(crate) async fn run(args: McpServerArgs, ctx: &Ctx) -> Result<Code> {
    let (settings, state_dir) = super::load(ctx)?;
    let opts = Options {
        settings,
        state_dir,
        wait_lock: ctx.global.wait_lock,
    };
    match args.http {
        None => Box::pin(mcp_server::serve_stdio(opts)).await?,
        Some(addr) => {
            Box::pin(mcp_server::serve_http(
                opts,
                HttpOptions {
                    addr,
                    allow_remote: args.allow_remote,
                },
            ))
            .await?;
        }
    }
    Ok(Code::Ok)
}
