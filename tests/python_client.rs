//! Confluent's own Python client (confluent-kafka, with its Avro, JSON Schema and Protobuf
//! serializers) against `evcat registry serve`: the suite in tests/python/, run with pytest in
//! the project-local virtual environment that tests/python/venv.sh creates from PyPI when it is
//! missing (`.ci/run` creates it first).

mod common;

#[test]
fn confluent_python_client_against_the_served_registry() {
    let evcat = std::ffi::OsStr::new(env!("CARGO_BIN_EXE_evcat"));
    common::run_pytest("tests/python", &[("EVCAT_BIN", evcat)]);
}
