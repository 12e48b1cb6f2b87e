//! `ferrotls inspect`: decodes records or handshake messages and prints them.

use crate::hexinput;

pub fn run(arg: &str, _tls12: bool) -> Result<(), String> {
    let bytes = hexinput::read(arg)?;
    println!("{} bytes", bytes.len());
    Ok(())
}
