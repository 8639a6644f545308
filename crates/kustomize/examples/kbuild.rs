//! Prints the build of a folder, like `kubectl kustomize DIR`.

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: kbuild DIR");
        return std::process::ExitCode::from(2);
    };
    match flux_kustomize::build(std::path::Path::new(&dir), &Default::default()) {
        Ok(out) => {
            print!("{out}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
