//! The calculator client:
//!
//! ```text
//! calculator-client [--server ADDR] [--udp] add|sub|mul|div A B
//! calculator-client [--server ADDR] [--udp] summarize N...
//! calculator-client [--server ADDR] [--udp] hello NAME
//! calculator-client [--server ADDR] [--udp] null
//! ```

// A command-line program: it prints the results on stdout.
#![allow(clippy::print_stdout)]

use calculator::{DEFAULT_ADDR, number_list, proto};
use proto::{CalcResult, CalculatorCalculatorV1Client};

const USAGE: &str = "usage: calculator-client [--server ADDR] [--udp] \
                     (add|sub|mul|div A B | summarize N... | hello NAME | null)";

fn main() -> std::process::ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("calculator-client: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(mut args: Vec<String>) -> Result<(), Box<dyn std::error::Error>> {
    let mut addr = DEFAULT_ADDR.to_owned();
    let mut udp = false;
    while let Some(first) = args.first() {
        match first.as_str() {
            "--udp" => udp = true,
            "--server" if args.len() > 1 => addr = args.remove(1),
            _ => break,
        }
        args.remove(0);
    }
    let client = if udp {
        CalculatorCalculatorV1Client::connect_udp(&addr)?
    } else {
        CalculatorCalculatorV1Client::connect_tcp(&addr)?
    };
    let numbers = |args: &[String]| -> Result<Vec<i64>, std::num::ParseIntError> {
        args.iter().map(|a| a.parse()).collect()
    };
    match args.first().map(String::as_str) {
        Some(op @ ("add" | "sub" | "mul" | "div")) => {
            let [a, b] = numbers(&args[1..])?[..] else {
                return Err(USAGE.into());
            };
            let result = match op {
                "add" => client.add(&a, &b)?,
                "sub" => client.sub(&a, &b)?,
                "mul" => client.mul(&a, &b)?,
                _ => client.div(&a, &b)?,
            };
            match result {
                CalcResult::CalcOk(value) => println!("{value}"),
                CalcResult::Default(status) => return Err(format!("{status:?}").into()),
            }
        }
        Some("summarize") => {
            let stats = client.summarize(&number_list(&numbers(&args[1..])?))?;
            println!("count {} sum {} mean {}", stats.count, stats.sum, stats.mean);
        }
        Some("hello") if args.len() == 2 => {
            let name = oncrpc::xdr::ByteString::try_from(args[1].as_bytes())?;
            println!("{}", String::from_utf8_lossy(&client.hello(&name)?));
        }
        Some("null") => {
            client.null()?;
            println!("ok");
        }
        _ => return Err(USAGE.into()),
    }
    Ok(())
}
