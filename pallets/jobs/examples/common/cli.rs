//! The command line the protocol simulations share: `--<count> N`, `--json PATH`, `--check`.

/// What a simulation was asked to do.
pub struct Cli {
	/// The simulation's size (`--jobs`, `--trials`, …).
	pub count: u32,
	/// Where to write the machine-readable results, if anywhere.
	pub json: Option<String>,
}

/// Parses the arguments of simulation `name` whose size flag is `--{count_flag}` (default
/// `default`). Runs `check` and exits for `--check`; exits 2 on a bad argument or an
/// unwritable `--json` path (tried first, so that a long run cannot fail at its end).
pub fn parse(
	name: &str,
	count_flag: &str,
	default: u32,
	check: impl FnOnce() -> Result<(), String>,
) -> Cli {
	let mut args = std::env::args().skip(1);
	let mut cli = Cli { count: default, json: None };
	let mut only_check = false;
	let flag = format!("--{count_flag}");
	while let Some(arg) = args.next() {
		match arg.as_str() {
			"--check" => only_check = true,
			"--json" => cli.json = args.next(),
			a if a == flag => {
				cli.count = match args.next().and_then(|v| v.parse().ok()) {
					Some(n) if n > 0 => n,
					_ => {
						eprintln!("{name}: {flag} takes a number above 0");
						std::process::exit(2);
					},
				}
			},
			other => {
				eprintln!("{name}: unknown argument {other:?} ({flag} N, --json PATH, --check)");
				std::process::exit(2);
			},
		}
	}
	if only_check {
		if let Err(e) = check() {
			eprintln!("{name}: check failed: {e}");
			std::process::exit(1);
		}
		std::process::exit(0);
	}
	if let Some(path) = &cli.json {
		if let Err(e) = std::fs::write(path, "") {
			eprintln!("{name}: cannot write {path}: {e}");
			std::process::exit(2);
		}
	}
	cli
}

/// Writes the results with `write` to the `--json` path, if one was given; exits 1 on failure.
pub fn finish(name: &str, cli: &Cli, write: impl FnOnce(&str) -> std::io::Result<()>) {
	if let Some(path) = &cli.json {
		if let Err(e) = write(path) {
			eprintln!("{name}: writing {path}: {e}");
			std::process::exit(1);
		}
		println!("{name}: wrote {path}");
	}
}
