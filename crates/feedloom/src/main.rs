fn main() -> std::process::ExitCode {
    feedloom::main_with(feedloom::builtin_registry())
}
