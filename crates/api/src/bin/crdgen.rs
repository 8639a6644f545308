//! Writes every CRD to each folder given (config/crds/ by default), one file per kind, named as Flux
//! names them.

use std::path::{Path, PathBuf};

fn main() -> std::process::ExitCode {
    let mut dirs: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if dirs.is_empty() {
        dirs.push(PathBuf::from("config/crds"));
    }
    for dir in &dirs {
        if let Err(message) = write_all(dir) {
            eprintln!("crdgen: {message}");
            return std::process::ExitCode::FAILURE;
        }
    }
    std::process::ExitCode::SUCCESS
}

fn write_all(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    for crd in flux_api::crds::all() {
        let path = dir.join(flux_api::crds::file_name(&crd));
        let yaml = flux_api::crds::to_yaml(&crd)
            .map_err(|err| format!("cannot render {}: {err}", path.display()))?;
        std::fs::write(&path, yaml)
            .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    }
    Ok(())
}
