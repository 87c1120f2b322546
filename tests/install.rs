//! `scripts/install-evcat.sh`, what action.yml runs: pinned to a release it downloads the
//! runner's archive from a (loopback) release server and verifies its checksum, refusing a
//! mismatch; otherwise, or when the release lacks the archive, it builds with `cargo install`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{serve_static, StaticServer};

const TAG: &str = "v1.2.3";
const TARGET: &str = "x86_64-unknown-linux-gnu";

fn sh(dir: &Path, command: &str) {
    let status = Command::new("sh")
        .args(["-c", command])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "{command}");
}

/// A release of `acme/evcat` holding a fake binary for Linux x86_64, with its checksum.
fn release(root: &Path) -> PathBuf {
    let dir = root.join(format!("acme/evcat/releases/download/{TAG}"));
    let name = format!("evcat-{TAG}-{TARGET}");
    fs::create_dir_all(dir.join(&name)).unwrap();
    fs::write(
        dir.join(&name).join("evcat"),
        "#!/bin/sh\necho fake evcat 1.2.3\n",
    )
    .unwrap();
    sh(
        &dir,
        &format!("tar -czf {name}.tar.gz {name} && rm -r {name}"),
    );
    sh(
        &dir,
        &format!("sha256sum {name}.tar.gz > {name}.tar.gz.sha256"),
    );
    dir
}

struct Run {
    output: Output,
    github_path: String,
    cargo_calls: String,
    temp: tempfile::TempDir,
}

/// Runs the script as a Linux x86_64 runner with action ref `reference`; `cargo` on its PATH
/// is a stand-in that records its arguments.
fn install(server: &StaticServer, reference: &str) -> Run {
    let temp = tempfile::tempdir().unwrap();
    let fake_bin = temp.path().join("fake-bin");
    fs::create_dir_all(&fake_bin).unwrap();
    let calls = temp.path().join("cargo-calls");
    fs::write(
        fake_bin.join("cargo"),
        format!("#!/bin/sh\necho \"$@\" >> '{}'\n", calls.display()),
    )
    .unwrap();
    sh(&fake_bin, "chmod +x cargo");
    let github_path = temp.path().join("github-path");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-evcat.sh");
    let output = Command::new("bash")
        .arg(script)
        .env(
            "PATH",
            format!("{}:{}", fake_bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("ACTION_REF", reference)
        .env("ACTION_REPOSITORY", "acme/evcat")
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", temp.path())
        .env("GITHUB_PATH", &github_path)
        .env("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR"))
        .env(
            "EVCAT_RELEASES_URL",
            format!("http://127.0.0.1:{}", server.port),
        )
        .output()
        .unwrap();
    Run {
        output,
        github_path: fs::read_to_string(github_path).unwrap_or_default(),
        cargo_calls: fs::read_to_string(calls).unwrap_or_default(),
        temp,
    }
}

#[test]
fn a_release_pin_installs_the_verified_release_binary() {
    let root = tempfile::tempdir().unwrap();
    release(root.path());
    let server = serve_static(root.path());
    let run = install(&server, TAG);
    let stdout = String::from_utf8_lossy(&run.output.stdout);
    assert!(
        run.output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.output.stderr)
    );
    assert!(stdout.contains("checksum verified"), "{stdout}");
    assert!(
        run.cargo_calls.is_empty(),
        "built instead: {}",
        run.cargo_calls
    );
    let bin = run.github_path.trim();
    assert_eq!(Path::new(bin), run.temp.path().join("evcat/bin"));
    let installed = Command::new(Path::new(bin).join("evcat")).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&installed.stdout),
        "fake evcat 1.2.3\n"
    );
}

#[test]
fn a_checksum_mismatch_installs_nothing() {
    let root = tempfile::tempdir().unwrap();
    let dir = release(root.path());
    let checksum = dir.join(format!("evcat-{TAG}-{TARGET}.tar.gz.sha256"));
    let text = fs::read_to_string(&checksum).unwrap();
    let tampered = format!(
        "{}{}",
        if text.starts_with('0') { "1" } else { "0" },
        &text[1..]
    );
    fs::write(&checksum, tampered).unwrap();
    let server = serve_static(root.path());
    let run = install(&server, TAG);
    assert!(!run.output.status.success());
    assert!(String::from_utf8_lossy(&run.output.stderr).contains("checksum mismatch"));
    assert!(run.github_path.is_empty());
    assert!(
        run.cargo_calls.is_empty(),
        "a mismatch must not fall back to building"
    );
}

#[test]
fn without_a_release_pin_or_archive_it_builds_from_source() {
    let root = tempfile::tempdir().unwrap();
    release(root.path());
    let server = serve_static(root.path());
    for reference in ["main", "v9.9.9"] {
        let run = install(&server, reference);
        assert!(run.output.status.success(), "{reference}");
        assert!(
            run.cargo_calls.starts_with(&format!(
                "install --locked --quiet --path {}",
                env!("CARGO_MANIFEST_DIR")
            )),
            "{reference}: {}",
            run.cargo_calls
        );
        assert!(run.github_path.trim().ends_with("evcat/bin"));
    }
}
