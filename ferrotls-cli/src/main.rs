//! `ferrotls`: the command-line face of the ferrotls TLS library.

mod hexinput;
mod inspect;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "ferrotls",
    version,
    about = "TLS 1.2 / TLS 1.3 in Rust: inspect, and soon client, server, demo"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode a TLS record stream or handshake message given in hex
    /// (e.g. a ClientHello copied from Wireshark) and print it as a tree.
    Inspect {
        /// Hex bytes (spaces, colons and newlines allowed), or `-` to read them from stdin.
        hex: String,
        /// Decode version-dependent messages (Certificate, CertificateRequest,
        /// NewSessionTicket) in their TLS 1.2 form instead of guessing from the ServerHello.
        #[arg(long)]
        tls12: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
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
