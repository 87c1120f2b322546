//! Helpers for tests that run the built `evcat` binary on catalogs in temporary folders.

#![allow(dead_code)] // Each test crate uses a different part of this module.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog-example")
}

/// A catalog in a temporary folder that a test may change freely.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// A copy of `catalog-example`.
    pub fn example() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(&example_dir(), dir.path());
        Fixture { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn write(&self, relative: &str, content: impl AsRef<[u8]>) -> &Self {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        fs::write(path, content).expect("write");
        self
    }

    pub fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.path(relative)).expect("read")
    }

    /// Replaces `from` by `to` in a file; panics when `from` is absent, so a fixture never
    /// silently stops testing what it claims to.
    pub fn replace(&self, relative: &str, from: &str, to: &str) -> &Self {
        let text = self.read(relative);
        assert!(text.contains(from), "{relative} does not contain {from:?}");
        self.write(relative, text.replacen(from, to, 1))
    }

    /// The 1-based line of the first line of `relative` that contains `needle`.
    pub fn line_of(&self, relative: &str, needle: &str) -> u64 {
        let text = self.read(relative);
        let index = text
            .lines()
            .position(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("`{needle}` is not in {relative}"));
        index as u64 + 1
    }

    pub fn remove(&self, relative: &str) -> &Self {
        let path = self.path(relative);
        if path.is_dir() {
            fs::remove_dir_all(path).expect("rm -r");
        } else {
            fs::remove_file(path).expect("rm");
        }
        self
    }

    pub fn lint(&self, extra: &[&str]) -> Outcome {
        let mut args = vec!["lint", "--format", "json"];
        args.extend_from_slice(extra);
        run_in(self.root(), &args)
    }
}

/// Copies a folder, leaving out embedded registries (`.registries/`, git-ignored state a local
/// run of the README's command leaves in catalog-example).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        if entry.file_name() == ".registries" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}):\n{}", self.stdout))
    }

    pub fn findings(&self) -> Vec<Value> {
        self.json()["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Asserts a finding of `rule` in `file` at `line`, and returns it.
    pub fn expect(&self, rule: &str, file: &str, line: u64) -> Value {
        let findings = self.findings();
        findings
            .iter()
            .find(|finding| {
                finding["rule"] == rule && finding["file"] == file && finding["line"] == line
            })
            .cloned()
            .unwrap_or_else(|| {
                panic!(
                    "no {rule} finding at {file}:{line}; findings:\n{}",
                    serde_json::to_string_pretty(&findings).unwrap_or_default()
                )
            })
    }

    pub fn rules(&self) -> Vec<String> {
        self.findings()
            .iter()
            .map(|finding| finding["rule"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// Runs evcat in `dir` with `args`, asserting it never panics.
pub fn run_in(dir: &Path, args: &[&str]) -> Outcome {
    let output = Command::new(env!("CARGO_BIN_EXE_evcat"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run evcat");
    let outcome = Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !outcome.stderr.contains("panicked"),
        "evcat panicked:\n{}",
        outcome.stderr
    );
    assert!(
        matches!(outcome.code, 0..=2),
        "unexpected exit code {}: {}",
        outcome.code,
        outcome.stderr
    );
    outcome
}

/// Runs evcat in `dir` like [`run_in`], failing the test when it takes longer than `limit`
/// (for inputs that once made evcat hang).
pub fn run_within(dir: &Path, args: &[&str], limit: std::time::Duration) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_evcat"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run evcat");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("evcat {args:?} took longer than {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    let outcome = Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(!outcome.stderr.contains("panicked"), "{}", outcome.stderr);
    outcome
}

/// `evcat registry serve` running as a child process; killed when dropped.
pub struct Registry {
    child: Child,
    pub address: String,
    pub auth: Option<String>,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `evcat registry serve` on a free loopback port (`extra` adds arguments).
pub fn start_registry(dir: &Path, credentials: Option<&str>) -> Registry {
    start_registry_with(dir, credentials, &[])
}

pub fn start_registry_with(dir: &Path, credentials: Option<&str>, extra: &[&str]) -> Registry {
    let mut command = Command::new(env!("CARGO_BIN_EXE_evcat"));
    command
        .args(["registry", "serve", "--listen", "127.0.0.1:0", "--dir"])
        .arg(dir)
        .args(extra)
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    if let Some(credentials) = credentials {
        command
            .args(["--basic-auth-env", "TEST_REGISTRY_AUTH"])
            .env("TEST_REGISTRY_AUTH", credentials);
    }
    let mut child = command.spawn().expect("start evcat registry serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut line = String::new();
    BufReader::new(stderr)
        .read_line(&mut line)
        .expect("startup line");
    let address = line
        .trim()
        .rsplit("http://")
        .next()
        .expect("address in startup line")
        .to_string();
    Registry {
        child,
        address,
        auth: None,
    }
}

/// Runs git in `dir` with a fixed identity; panics when it fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "evcat tests")
        .env("GIT_AUTHOR_EMAIL", "tests@example.com")
        .env("GIT_COMMITTER_NAME", "evcat tests")
        .env("GIT_COMMITTER_EMAIL", "tests@example.com")
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Makes `dir` a Git repository on branch main with everything in it committed.
pub fn commit_all_on_main(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "catalog"]);
}

/// The example catalog in a Git repository with two commits: PaymentCaptured gets the given
/// description first, then a field without a default (a breaking version), and the site is
/// built into `public/`. What the site tests read.
#[allow(dead_code)]
pub fn example_site(description: &str) -> Fixture {
    let fixture = Fixture::example();
    fixture.replace(
        "domains/payments/events/PaymentCaptured/event.yaml",
        "summary:",
        &format!("description: {description:?}\nsummary:"),
    );
    let commit = |message: &str| {
        git(fixture.root(), &["add", "-A"]);
        git(fixture.root(), &["commit", "-q", "-m", message]);
    };
    git(fixture.root(), &["init", "-q", "-b", "main"]);
    commit("initial catalog");
    fixture.replace(
        "domains/payments/events/PaymentCaptured/schema.avsc",
        "\n  ]\n}",
        ",\n    {\"name\": \"settlementId\", \"type\": \"string\"}\n  ]\n}",
    );
    commit("settlementId without a default");
    let built = run_in(fixture.root(), &["site", "build", "--out", "public"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    fixture
}

/// Runs a pytest suite (a folder of tests/) with the project-local virtual environment that
/// tests/python/venv.sh creates, under a timeout; panics unless it ran tests and all passed.
#[allow(dead_code)]
pub fn run_pytest(suite: &str, env: &[(&str, &std::ffi::OsStr)]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let setup = Command::new("bash")
        .arg(root.join("tests/python/venv.sh"))
        .status()
        .expect("run tests/python/venv.sh");
    assert!(
        setup.success(),
        "tests/python/venv.sh failed: these tests need Python 3 with venv, and PyPI"
    );
    let mut command = Command::new("timeout");
    command
        .arg("600")
        .arg(root.join("target/python-venv/bin/python"))
        .args(["-m", "pytest", suite, "-q", "-p", "no:cacheprovider"])
        .current_dir(root);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("run pytest");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    println!("{stdout}");
    assert!(
        output.status.success(),
        "the {suite} tests failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains(" passed"), "pytest ran no test:\n{stdout}");
    stdout
}

/// A static file server on loopback (Python's `http.server`), killed when dropped: a release
/// server or a registry that answers fixed files, whatever the query string.
pub struct StaticServer {
    child: Child,
    pub port: u16,
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve_static(dir: &Path) -> StaticServer {
    let mut child = Command::new("python3")
        .args([
            "-u",
            "-m",
            "http.server",
            "0",
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 http.server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("startup line");
    // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
    let port = line
        .split_whitespace()
        .skip_while(|word| *word != "port")
        .nth(1)
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    StaticServer { child, port }
}
