//! `ferrotls`: the command-line face of the ferrotls TLS library.

mod certs;
mod client_cmd;
mod demo;
mod flow;
mod hexinput;
mod inspect;
mod opts;
mod server_cmd;
mod summary;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "ferrotls",
    version,
    about = "TLS 1.3 and TLS 1.2 in Rust: connect, serve, inspect and watch handshakes"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Connect to a TLS server, copy stdin to it and its data to stdout.
    Client(client_cmd::ClientArgs),
    /// Accept TLS connections and echo what each client sends.
    Server(server_cmd::ServerArgs),
    /// Run a client and a server in this process and draw their handshakes.
    Demo,
    /// Decode a TLS record stream or handshake message given in hex
    /// (e.g. a ClientHello copied from Wireshark) and print it as a tree.
    Inspect {
        /// Hex bytes (spaces, colons and newlines allowed), or `-` to read them from stdin.
        hex: String,
        /// Decode version-dependent messages (Certificate, CertificateRequest,
        /// NewSessionTicket) in their TLS 1.2 form instead of following the ServerHello.
        #[arg(long)]
        tls12: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Client(args) => client_cmd::run(&args),
        Command::Server(args) => server_cmd::run(&args),
        Command::Demo => demo::run(),
        Command::Inspect { hex, tls12 } => inspect::run(&hex, tls12),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
