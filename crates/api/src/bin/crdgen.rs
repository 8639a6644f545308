//! Writes every CRD to a folder (config/crds/ by default), one file per kind, named as Flux names them.

use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "config/crds".into()),
    );
    if let Err(err) = std::fs::create_dir_all(&dir) {
        eprintln!("crdgen: cannot create {}: {err}", dir.display());
        return std::process::ExitCode::FAILURE;
    }
    for crd in flux_api::crds::all() {
        let path = dir.join(flux_api::crds::file_name(&crd));
        let yaml = match flux_api::crds::to_yaml(&crd) {
            Ok(yaml) => yaml,
            Err(err) => {
                eprintln!("crdgen: cannot render {}: {err}", path.display());
                return std::process::ExitCode::FAILURE;
            }
        };
        if let Err(err) = std::fs::write(&path, yaml) {
            eprintln!("crdgen: cannot write {}: {err}", path.display());
            return std::process::ExitCode::FAILURE;
        }
    }
    std::process::ExitCode::SUCCESS
}
