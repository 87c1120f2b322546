fn main() -> std::process::ExitCode {
    evcat::cli::main()
}
