//! The `tessera` command line: a thin layer over the library's pipeline. It parses
//! arguments, calls the library, and reports diagnostics and exit codes.

/// mimalloc instead of the system allocator: a build allocates and frees millions of small
/// values from several threads, where glibc's allocator spends much of its time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tessera::diagnostics::{Diagnostics, render_json};
use tessera::scaffold::{self, NewKind};
use tessera::{BuildError, BuildOptions};

/// tessera builds evidence reviews: case studies in Markdown become a static website with
/// cross-linked themes, an evidence map, and the places where the evidence disagrees.
#[derive(Parser)]
#[command(name = "tessera", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the review into a static site (by default into `public/`).
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Write the site here instead of `output_dir` from site.toml.
        #[arg(long, short, value_name = "DIR")]
        output: Option<PathBuf>,
        /// The address the site will be published at (overrides `base_url`); used only for
        /// canonical links, since every link inside the site is relative.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Make links end in `index.html`, so the site browses from a folder or a zip file.
        #[arg(long)]
        portable: bool,
        /// Build the full-text search index and the search page, whatever `[search]` in
        /// site.toml says.
        #[arg(long, overrides_with = "no_search")]
        search: bool,
        /// Build without search, whatever `[search]` in site.toml says.
        #[arg(long, overrides_with = "search")]
        no_search: bool,
    },
    /// Check the whole review and report every problem, without writing anything.
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// How to print diagnostics: for people, or one JSON object per line for CI.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Freeze this edition: write the review's data to `editions/<edition>.json` (the
    /// `edition` of site.toml), for the next edition to compare itself with.
    Snapshot {
        /// The review folder, holding site.toml and content/.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
        /// Replace the snapshot if it already exists.
        #[arg(long)]
        force: bool,
    },
    /// Create a new review in DIR, ready to build.
    Init {
        /// A new or empty folder.
        dir: PathBuf,
    },
    /// Add a case study, theme or claim with a commented front-matter skeleton.
    New {
        /// What to add.
        #[arg(value_enum)]
        kind: NewKind,
        /// Its title; the file name is made from it (`"Family Safeguarding"` → `family-safeguarding.md`).
        title: String,
        /// The review folder.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
    },
    /// Serve the review locally, rebuilding and reloading the browser on every change.
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// The address to listen on (`0.0.0.0` makes the site reachable from other machines).
        #[arg(long, default_value = "127.0.0.1", value_name = "ADDRESS")]
        interface: std::net::IpAddr,
        /// The port to listen on; if it is taken, the next free one is used (0: any free port).
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Open the site in the default web browser.
        #[arg(long)]
        open: bool,
        /// Serve the site under this path, as a host would (e.g. `/review/` for GitHub Pages).
        #[arg(long, default_value = "/", value_name = "PATH")]
        base_path: String,
        /// Look for changes by polling, for file systems that send no change events
        /// (network shares, some containers and virtual machines).
        #[arg(long)]
        poll: bool,
    },
}

#[derive(clap::Args)]
struct SiteArgs {
    /// The review folder, holding site.toml and content/.
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// Include case studies and pages marked `draft: true`.
    #[arg(long)]
    drafts: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            site,
            output,
            base_url,
            portable,
            search,
            no_search,
        } => build(BuildOptions {
            root: site.root,
            output,
            base_url,
            drafts: site.drafts,
            portable,
            search: search_choice(search, no_search),
        }),
        Command::Check {
            site,
            format,
            deny_warnings,
        } => check(
            BuildOptions {
                root: site.root,
                drafts: site.drafts,
                ..BuildOptions::default()
            },
            format,
            deny_warnings,
        ),
        Command::Snapshot { root, force } => snapshot(root, force),
        Command::Init { dir } => init(&dir),
        Command::New { kind, title, root } => new(&root, kind, &title),
        Command::Serve {
            site,
            interface,
            port,
            open,
            base_path,
            poll,
        } => {
            let options = tessera::serve::ServeOptions {
                root: site.root,
                drafts: site.drafts,
                interface,
                port,
                open,
                base_path,
                poll,
            };
            match tessera::serve::run(&options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("error: {err}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn print_diagnostics(diagnostics: &Diagnostics) {
    if !diagnostics.is_empty() {
        eprintln!(
            "{}",
            diagnostics.render_human(std::io::stderr().is_terminal())
        );
    }
}

/// `--search` / `--no-search` (the last one given wins); neither leaves it to site.toml.
fn search_choice(search: bool, no_search: bool) -> Option<bool> {
    match (search, no_search) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

fn build(options: BuildOptions) -> ExitCode {
    match tessera::build_site(&options) {
        Ok(report) => {
            if !report.diagnostics.is_empty() {
                print_diagnostics(&report.diagnostics);
            }
            let searchable = report
                .searchable
                .map(|n| format!("; {n} in the search index"))
                .unwrap_or_default();
            println!(
                "Built {} pages ({} files{searchable}) into {} in {} ms",
                report.pages,
                report.files,
                report.output.display(),
                report.elapsed.as_millis()
            );
            ExitCode::SUCCESS
        }
        Err(BuildError::Invalid(diagnostics)) => {
            print_diagnostics(&diagnostics);
            eprintln!(
                "Build failed: nothing was written; the previous site (if any) is unchanged."
            );
            ExitCode::FAILURE
        }
        Err(BuildError::Output(err)) => {
            let mut diagnostics = Diagnostics::new();
            diagnostics.push(tessera::output_diagnostic(&err));
            print_diagnostics(&diagnostics);
            ExitCode::FAILURE
        }
    }
}

fn check(options: BuildOptions, format: Format, deny_warnings: bool) -> ExitCode {
    let diagnostics = tessera::check(&options);
    match format {
        Format::Json => print!("{}", render_json(&diagnostics)),
        Format::Human if diagnostics.is_empty() => println!("No problems found."),
        Format::Human => eprintln!(
            "{}",
            diagnostics.render_human(std::io::stderr().is_terminal())
        ),
    }
    let failed = diagnostics.has_errors() || (deny_warnings && diagnostics.warning_count() > 0);
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn snapshot(root: PathBuf, force: bool) -> ExitCode {
    let options = BuildOptions {
        root,
        ..BuildOptions::default()
    };
    match tessera::snapshot(&options, force) {
        Ok(report) => {
            print_diagnostics(&report.diagnostics);
            println!(
                "Wrote {} ({} case studies, {} findings). Commit it with the content.",
                report.path.display(),
                report.case_studies,
                report.findings
            );
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            eprintln!("Snapshot failed: nothing was written.");
            ExitCode::FAILURE
        }
    }
}

fn init(dir: &std::path::Path) -> ExitCode {
    match scaffold::init(dir) {
        Ok(files) => {
            for file in files {
                println!("created {}", file.display());
            }
            println!(
                "\nNext: `tessera build --root {}` (or `tessera serve --root {0}`).",
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn new(root: &std::path::Path, kind: NewKind, title: &str) -> ExitCode {
    match scaffold::new_file(root, kind, title) {
        Ok(path) => {
            println!("created {}", path.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
