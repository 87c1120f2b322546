//! Confluent's own Python client (confluent-kafka, with its Avro, JSON Schema and Protobuf
//! serializers) against `evcat registry serve`: the suite in tests/python/, run with pytest in
//! the project-local virtual environment that tests/python/venv.sh creates from PyPI when it is
//! missing (`.ci/run` creates it first).

use std::path::Path;
use std::process::Command;

#[test]
fn confluent_python_client_against_the_served_registry() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let setup = Command::new("bash")
        .arg(root.join("tests/python/venv.sh"))
        .status()
        .expect("run tests/python/venv.sh");
    assert!(
        setup.success(),
        "tests/python/venv.sh failed: these tests need Python 3 with venv, and PyPI"
    );
    let output = Command::new("timeout")
        .arg("600")
        .arg(root.join("target/python-venv/bin/python"))
        .args([
            "-m",
            "pytest",
            "tests/python",
            "-q",
            "-p",
            "no:cacheprovider",
        ])
        .current_dir(root)
        .env("EVCAT_BIN", env!("CARGO_BIN_EXE_evcat"))
        .output()
        .expect("run pytest");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "the Python client's tests failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains(" passed"), "pytest ran no test:\n{stdout}");
}
