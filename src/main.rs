use std::process::ExitCode;

fn main() -> ExitCode {
    mcpctl::run(std::env::args_os())
}
