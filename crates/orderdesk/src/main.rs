//! `orderdesk`: the one binary. Parses the command line, loads the
//! configuration, opens the store and hands over to `app` and `web`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use app::Config;
use app::import::{ImportError, Progress};
use clap::{Parser, Subcommand};
use domain::event::Actor;
use masterdata::Entity;
use store::Store;

// Parsing and import allocate many small strings; mimalloc is markedly faster at that than glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "orderdesk",
    version,
    about = "Orderdesk: the sales back office that reads, checks and drafts incoming orders."
)]
struct Cli {
    /// Database: sqlite://PATH or postgres://USER@HOST/DB (also ORDERDESK_DATABASE_URL).
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Configuration file.
    #[arg(long, global = true, default_value = "orderdesk.toml")]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the demo company (if the database is empty) and serve the web UI.
    Demo {
        /// Address to listen on.
        #[arg(long)]
        listen: Option<String>,
        /// Seed of the generated company.
        #[arg(long, default_value_t = tooling::demo::DEFAULT_SEED)]
        seed: u64,
        /// Only create the data, do not serve.
        #[arg(long)]
        no_serve: bool,
    },
    /// Serve the web UI and API.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long)]
        listen: Option<String>,
    },
    /// Import master data from CSV or a spreadsheet (XLSX, XLS, ODS), all or nothing.
    Import {
        /// products, customers, addresses, prices, customer-items or stock.
        entity: EntityArg,
        file: PathBuf,
    },
    /// Export master data to CSV in the import format ("-" for standard output).
    Export { entity: EntityArg, file: PathBuf },
    /// Apply pending database migrations.
    Migrate,
    /// Take in inbound files (.eml, EDI, XML, spreadsheets, …) or every file below a directory, then process them.
    Ingest {
        paths: Vec<PathBuf>,
        /// Only store them; a worker (or `serve`) processes them later.
        #[arg(long)]
        no_process: bool,
        /// The channel to record (upload, folder, …).
        #[arg(long, default_value = "upload")]
        channel: String,
    },
    /// Process received messages: parse, classify, store the result.
    Worker {
        /// Stop when the queue is empty instead of waiting for more.
        #[arg(long)]
        once: bool,
    },
    /// Take in files dropped into a folder (EDI, XML …), moving each to DIR/processed once stored.
    Watch {
        dir: PathBuf,
        /// One pass, then stop.
        #[arg(long)]
        once: bool,
    },
    /// Take in new mail from the configured IMAP mailboxes once, then process it.
    FetchMail {
        /// Only this mailbox (its name in the configuration).
        #[arg(long)]
        mailbox: Option<String>,
    },
    /// List received messages, newest first.
    Messages {
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Print one message with its documents as JSON.
        #[arg(long)]
        show: Option<i64>,
    },
    /// Read one file from standard input in a process limited in memory, CPU time and stack,
    /// and write its Documents as JSON (the worker runs this for every message).
    #[command(hide = true)]
    ParseWorker {
        #[arg(long)]
        memory_mb: u64,
        #[arg(long)]
        seconds: u64,
        #[arg(long)]
        stack_mb: u64,
    },
    /// Draw one page of the PDF on standard input as PNG on standard output, in a process
    /// limited in memory and CPU time (the web server runs this for the review screen).
    #[command(hide = true)]
    PageWorker {
        #[arg(long)]
        page: usize,
        #[arg(long)]
        memory_mb: u64,
        #[arg(long)]
        seconds: u64,
    },
    /// Show the Documents a file becomes (parts, text, tables, key–values, diagnostics); stores nothing.
    Parse {
        file: PathBuf,
        /// Print JSON (docs/document-json.md) instead of a summary.
        #[arg(long)]
        json: bool,
    },
    /// Read one inbound file against the current master data and print the draft
    /// (the extraction JSON, orderdesk.extraction/1); stores nothing.
    Extract {
        file: PathBuf,
        /// Print JSON (the default; kept for scripts that pass it).
        #[arg(long)]
        json: bool,
        /// The sender to assume when the file is not a mail (for customer matching and layout hints).
        #[arg(long)]
        sender: Option<String>,
    },
    /// The ERP link: confirmed orders pushed through the outbox ([erp] in orderdesk.toml).
    #[command(subcommand)]
    Erp(ErpCommand),
    /// The test corpus: generated orders and RFQs with their ground truth.
    #[command(subcommand)]
    Corpus(CorpusCommand),
    /// People who log in to the web UI and the API.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens for integrations.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Measure Orderdesk's speed on this machine and print the figures.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; prints a generated password unless one is given.
    Add {
        username: String,
        /// clerk, sales_admin, manager or admin.
        #[arg(long)]
        role: String,
        /// Full name shown in the UI and the audit trail.
        #[arg(long, default_value = "")]
        name: String,
        /// The password (at least 10 characters); generated when left out.
        #[arg(long, env = "ORDERDESK_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List users.
    List,
    /// Set a new password (generated and printed unless given); ends the user's sessions.
    Password {
        username: String,
        #[arg(long, env = "ORDERDESK_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Disable a user; their sessions end and their API tokens stop working.
    Disable { username: String },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token acting as a user; the token is printed once.
    Add {
        /// What uses it (erp-bridge, edi-gateway …).
        name: String,
        /// The user it acts as; that user's role decides what it may do.
        #[arg(long)]
        user: String,
        /// Valid for this many days (default: until revoked).
        #[arg(long)]
        days: Option<u32>,
    },
    /// List API tokens (never their secrets).
    List,
    /// Revoke an API token at once, by the id `token list` shows.
    Revoke { id: i64 },
}

#[derive(Subcommand)]
enum ErpCommand {
    /// Check that orders can be delivered through the configured connector.
    Test,
    /// Deliver the pushes that are due now, or every pending push of ORDER at once.
    Push { order: Option<i64> },
    /// The outbox: how many pushes are pending, sent and failed, and the newest ones.
    Status {
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Make a failed push due again.
    Retry { push: i64 },
    /// Pull products, customers with addresses, stock and sale states from Tryton
    /// (what changed since the last pull).
    Pull,
}

#[derive(Subcommand)]
enum CorpusCommand {
    /// Write COUNT generated files (mails, PDFs, sheets, EDI, UBL) with NAME.truth.json beside each,
    /// made from the master data in the database (the demo company).
    Generate {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 100)]
        count: usize,
        dir: PathBuf,
        /// Only these families, comma-separated: the families written from descriptions of
        /// real documents (procurement-csv, forwarded, erp-print) come only this way.
        #[arg(long, value_delimiter = ',')]
        families: Vec<String>,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Add COUNT messages (every tenth drafted, half of those for review) and one
    /// 50-line draft to the database, copied from what is drafted already, to time
    /// the inbox, queue and review pages at scale (bench/pages.sh).
    SeedInbox {
        #[arg(long, default_value_t = 1_000_000)]
        messages: i64,
    },
    /// Import a generated products file of N rows twice (new, then unchanged) and print the timings.
    Import {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        /// Where to write the generated file (a temporary directory by default).
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Whole-process time of `orderdesk extract` on a catalog of a given size: the demo
    /// company grown to PRODUCTS products and PRICES price rows in a new database under a
    /// temporary folder, then one process per generated document; prints p50/p95/p99.
    Extract {
        #[arg(long, default_value_t = 4_800)]
        products: usize,
        #[arg(long, default_value_t = 68_000)]
        prices: usize,
        /// Documents to generate and extract (one process each).
        #[arg(long, default_value_t = 200)]
        documents: usize,
    },
    /// The ERP link against a local Tryton (started on a copy of the database
    /// scripts/tryton/template prepares): PRODUCTS products pulled, then pulled again
    /// with nothing changed, and ORDERS orders pushed CONCURRENCY at a time.
    Erp {
        /// The folder scripts/tryton/template wrote (default: $ORDERDESK_TEST_TRYTON_TEMPLATE).
        #[arg(long)]
        template: Option<PathBuf>,
        /// Tryton's bin folder (default: $ORDERDESK_TEST_TRYTON_BIN).
        #[arg(long)]
        bin: Option<PathBuf>,
        #[arg(long, default_value_t = 10_000)]
        products: usize,
        #[arg(long, default_value_t = 200)]
        orders: usize,
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// How far pushed sales go: draft, quotation or confirmed.
        #[arg(long, default_value = "confirmed")]
        sale_state: String,
        /// Seconds to wait after filling Tryton before the first pull (a pull looks 60 s back).
        #[arg(long, default_value_t = 61)]
        quiet_seconds: u64,
        /// Tryton processes (more than one: gunicorn workers, installed into Tryton's virtualenv if missing).
        #[arg(long, default_value_t = 1)]
        workers: usize,
        /// A Tryton already running (database erp, user admin) instead of one started here.
        #[arg(long)]
        url: Option<String>,
        /// The admin password of the Tryton at --url.
        #[arg(long, default_value = "orderdesk-admin-1")]
        password: String,
    },
    /// Order confirmation PDFs: the time to print one of LINES lines (best of ROUNDS).
    Pdf {
        #[arg(long, default_value_t = 60)]
        lines: u32,
        #[arg(long, default_value_t = 20)]
        rounds: u32,
    },
    /// The first page of a LINES-line PDF drawn as the review screen draws it: in
    /// this process and in a limited child (best of ROUNDS).
    Page {
        #[arg(long, default_value_t = 50)]
        lines: u32,
        #[arg(long, default_value_t = 10)]
        rounds: u32,
    },
    /// The review screen's product picker over PRODUCTS generated products: QUERIES searches as typed.
    Picker {
        #[arg(long, default_value_t = 1_000_000)]
        products: usize,
        #[arg(long, default_value_t = 3_000)]
        queries: usize,
    },
    /// Pricing a quote of LINES lines: the engine alone and a whole reprice over a catalog (best of ROUNDS).
    Pricing {
        #[arg(long, default_value_t = 500)]
        lines: u32,
        #[arg(long, default_value_t = 20)]
        rounds: u32,
    },
    /// The dashboard: ORDERS confirmed orders over DAYS days (with messages,
    /// threads, answers and amendments) in a new SQLite database, then the
    /// home page's server time.
    Dashboard {
        #[arg(long, default_value_t = 1_000_000)]
        orders: i64,
        #[arg(long, default_value_t = 730)]
        days: i64,
    },
    /// The mail outbox: COUNT mails queued in a new database, then sent to the SMTP
    /// server on 127.0.0.1:PORT (default: $ORDERDESK_TEST_SMTP_PORT, the test Postfix).
    Mail {
        #[arg(long)]
        port: Option<u16>,
        #[arg(long, default_value_t = 1_000)]
        count: usize,
    },
    /// Take in N generated order mails from a directory, end to end, and print the time.
    Intake {
        #[arg(long, default_value_t = 10_000)]
        count: usize,
    },
    /// Draft every file of a corpus directory and compare with its truth: per-field
    /// precision and recall, order-level exact match, STP rate, false-accept rate.
    Accuracy {
        dir: PathBuf,
        /// Also list the files with mistakes.
        #[arg(long)]
        verbose: bool,
        /// Only these families (layouts such as pdf-3, or formats such as csv), comma-separated:
        /// measure on families not looked at while writing the rules.
        #[arg(long, value_delimiter = ',')]
        families: Vec<String>,
    },
    /// Drafting speed: per-format latency on a generated corpus, and line resolution
    /// and index build on a catalog of N generated products.
    Speed {
        /// Documents to generate and draft.
        #[arg(long, default_value_t = 500)]
        count: usize,
        /// Products in the generated catalog for the line-resolution figures.
        #[arg(long, default_value_t = 1_000_000)]
        products: usize,
    },
    /// Parse files repeatedly on one core and print throughput and latency.
    Parse {
        files: Vec<PathBuf>,
        /// Run at least this long per file, in seconds.
        #[arg(long, default_value_t = 3.0)]
        seconds: f64,
    },
}

#[derive(Clone, Copy)]
struct EntityArg(Entity);

impl std::str::FromStr for EntityArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Entity::parse(s).map(EntityArg).ok_or_else(|| {
            let names: Vec<&str> = Entity::ALL.iter().map(|e| e.name()).collect();
            format!("'{s}' is not a kind of master data; use one of {}", names.join(", "))
        })
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Command::ParseWorker {
        memory_mb,
        seconds,
        stack_mb,
    } = cli.command
    {
        // Before any runtime or thread exists, so the limits cover all of it.
        let code = app::parsing::child_main(app::parsing::ParseLimits {
            memory_mb,
            cpu_seconds: seconds,
            stack_mb,
        });
        return std::process::ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    if let Command::PageWorker {
        page,
        memory_mb,
        seconds,
    } = cli.command
    {
        let code = app::pages::child_main(
            page,
            app::parsing::ParseLimits {
                memory_mb,
                cpu_seconds: seconds,
                stack_mb: 8,
            },
        );
        return std::process::ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    init_logging(matches!(cli.command, Command::Serve { .. } | Command::Demo { .. }));
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(server: bool) {
    let default = if server { "info,sqlx=warn" } else { "warn,sqlx=error" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("ORDERDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn run(cli: Cli) -> Result<()> {
    let mut config = Config::load(&cli.config).context("reading the configuration")?;
    if let Some(url) = cli.database_url {
        config.database_url = url;
    }
    match cli.command {
        Command::Migrate => {
            let store = open(&config).await?;
            store.close().await;
            println!("database schema is up to date ({})", store.backend().name());
            Ok(())
        }
        Command::Import { entity, file } => import(&config, entity.0, &file).await,
        Command::Erp(command) => erp_command(&config, command).await,
        Command::Parse { file, json } => parse(&file, json),
        Command::ParseWorker { .. } => bail!("parse-worker reads standard input before anything else starts"),
        Command::PageWorker { .. } => bail!("page-worker reads standard input before anything else starts"),
        Command::Extract { file, json: _, sender } => extract_file(&config, &file, sender.as_deref()).await,
        Command::Ingest {
            paths,
            no_process,
            channel,
        } => ingest(&config, &paths, no_process, &channel).await,
        Command::Worker { once } => {
            let store = open(&config).await?;
            if once {
                let n = app::intake::drain(&store, &pipeline(&config)?).await?;
                println!("{n} message(s) processed");
                Ok(())
            } else {
                println!("worker started; processing received messages (Ctrl-C to stop)");
                tokio::select! {
                    _ = app::intake::run_worker(store, pipeline(&config)?) => Ok(()),
                    _ = tokio::signal::ctrl_c() => Ok(()),
                }
            }
        }
        Command::Messages { limit, show } => messages(&config, limit, show).await,
        Command::FetchMail { mailbox } => {
            let store = open(&config).await?;
            let in_force = app::settings::mailboxes(&store, &config.mailboxes).await?;
            let chosen: Vec<_> = in_force
                .iter()
                .map(|m| &m.config)
                .filter(|m| mailbox.as_ref().is_none_or(|n| *n == m.name))
                .collect();
            if chosen.is_empty() {
                bail!(
                    "no mailbox configured{}: add [[mailboxes]] to orderdesk.toml or add one under Settings in the web UI",
                    mailbox.map(|n| format!(" named {n}")).unwrap_or_default()
                );
            }
            for m in chosen {
                let pass = app::mailbox::poll_once(&store, m).await?;
                println!(
                    "mailbox {}: {} fetched, {} received, {} duplicate(s)",
                    m.name, pass.fetched, pass.received, pass.duplicates
                );
            }
            let n = app::intake::drain(&store, &pipeline(&config)?).await?;
            println!("{n} message(s) processed");
            Ok(())
        }
        Command::Watch { dir, once } => {
            let store = open(&config).await?;
            if once {
                let pass = app::intake::watch_pass(&store, &dir, Duration::ZERO).await?;
                println!(
                    "{}: {} received, {} duplicate(s)",
                    dir.display(),
                    pass.received,
                    pass.duplicates
                );
                Ok(())
            } else {
                println!("watching {} (Ctrl-C to stop)", dir.display());
                tokio::select! {
                    _ = app::intake::watch(store, dir, Duration::from_secs(2)) => Ok(()),
                    _ = tokio::signal::ctrl_c() => Ok(()),
                }
            }
        }
        Command::Bench(BenchCommand::Import { rows, file }) => bench_import(&config, rows, file).await,
        Command::Bench(BenchCommand::Parse { files, seconds }) => bench_parse(&files, seconds),
        Command::Bench(BenchCommand::Accuracy { dir, verbose, families }) => {
            let store = open(&config).await?;
            let catalog = app::draft::load_catalog(&store).await?;
            let report = tooling::accuracy::measure(&store, &catalog, &dir, &config, &families).await?;
            print!("{}", report.print());
            if verbose {
                for m in &report.mistakes {
                    println!("  {m}");
                }
            }
            Ok(())
        }
        Command::Bench(BenchCommand::Speed { count, products }) => bench_speed(&config, count, products).await,
        Command::Corpus(CorpusCommand::Generate {
            seed,
            count,
            dir,
            families,
        }) => {
            let formats = families
                .iter()
                .map(|f| {
                    tooling::accuracy::described_family(f).with_context(|| {
                        format!(
                            "'{f}' is not a family that can be asked for; use {}",
                            tooling::accuracy::DESCRIBED_FAMILIES.join(", ")
                        )
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let store = open(&config).await?;
            let n = tooling::accuracy::generate_families(&store, seed, count, &dir, &formats).await?;
            println!("{n} file(s) with their truth written to {}", dir.display());
            Ok(())
        }
        Command::Bench(BenchCommand::Intake { count }) => bench_intake(&config, count).await,
        Command::Bench(BenchCommand::Extract {
            products,
            prices,
            documents,
        }) => bench_extract(products, prices, documents).await,
        Command::Bench(BenchCommand::Erp {
            template,
            bin,
            products,
            orders,
            concurrency,
            sale_state,
            quiet_seconds,
            workers,
            url,
            password,
        }) => {
            let (env_template, env_bin) = erp::server::from_env().unzip();
            let template = template.or(env_template);
            let bin = bin.or(env_bin);
            let sale_state = erp::SaleState::parse(&sale_state)
                .with_context(|| format!("--sale-state {sale_state}: draft, quotation or confirmed"))?;
            let target = match url {
                Some(url) => tooling::erp_bench::Target::Running { url, password, workers },
                None => tooling::erp_bench::Target::Start {
                    template: template.as_deref().context(
                        "--template (or ORDERDESK_TEST_TRYTON_TEMPLATE): a folder scripts/tryton/template wrote",
                    )?,
                    bin: bin
                        .as_deref()
                        .context("--bin (or ORDERDESK_TEST_TRYTON_BIN): Tryton's bin folder")?,
                    workers,
                },
            };
            let figures = tooling::erp_bench::run(
                target,
                products,
                orders,
                concurrency,
                sale_state,
                Duration::from_secs(quiet_seconds),
            )
            .await?;
            println!("{figures}");
            Ok(())
        }
        Command::Bench(BenchCommand::Mail { port, count }) => {
            let port = match port {
                Some(p) => p,
                None => std::env::var("ORDERDESK_TEST_SMTP_PORT")
                    .ok()
                    .and_then(|p| p.parse().ok())
                    .context("--port (or ORDERDESK_TEST_SMTP_PORT): an SMTP server on 127.0.0.1")?,
            };
            println!("{}", tooling::erp_bench::mail_outbox(port, count).await?);
            Ok(())
        }
        Command::Bench(BenchCommand::Dashboard { orders, days }) => bench_dashboard(&config, orders, days).await,
        Command::Bench(BenchCommand::Pdf { lines, rounds }) => {
            let (ms, pages, bytes) = tooling::bench::confirmation_pdf(lines, rounds)?;
            println!(
                "order confirmation of {lines} lines: {pages} pages, {} KB, {ms:.1} ms (best of {rounds})",
                bytes / 1024
            );
            Ok(())
        }
        Command::Bench(BenchCommand::Page { lines, rounds }) => {
            let program = std::env::current_exe().context("finding this program to draw pages in a child")?;
            let (in_process, child, size) = tooling::bench::page_image(lines, rounds, &program)
                .await
                .map_err(anyhow::Error::msg)?;
            println!(
                "first page of a {lines}-line PDF: {in_process:.1} ms drawn in process, {child:.1} ms in a limited child; {} KB PNG (best of {rounds})",
                size / 1024
            );
            Ok(())
        }
        Command::Bench(BenchCommand::Picker { products, queries }) => {
            print!("{}", tooling::bench::picker(products, queries)?);
            Ok(())
        }
        Command::Bench(BenchCommand::Pricing { lines, rounds }) => {
            let (engine, whole) = tooling::bench::quote_pricing(lines, rounds)?;
            println!(
                "pricing a quote of {lines} lines: engine {engine:.2} ms, with catalog lookups, stock and dates {whole:.2} ms (best of {rounds})"
            );
            Ok(())
        }
        Command::Bench(BenchCommand::SeedInbox { messages }) => {
            let store = open(&config).await?;
            let started = Instant::now();
            let seeded = tooling::bench::seed_inbox(&store, messages).await?;
            println!(
                "seeded {} messages, {} drafts ({} for review) in {:.1} s; 50-line draft: {}",
                seeded.messages,
                seeded.drafts,
                seeded.in_review,
                started.elapsed().as_secs_f64(),
                seeded.draft_50_lines
            );
            Ok(())
        }
        Command::Export { entity, file } => export(&config, entity.0, &file).await,
        Command::Serve { listen } => {
            let store = open(&config).await?;
            serve(store, listen.unwrap_or(config.listen.clone()), &config).await
        }
        Command::User(command) => user(&config, command).await,
        Command::Token(TokenCommand::List) => {
            let store = open(&config).await?;
            for t in store.api_tokens().await? {
                let state = match (&t.revoked_at, &t.expires_at) {
                    (Some(r), _) => format!("revoked {r}"),
                    (None, Some(e)) => format!("expires {e}"),
                    (None, None) => "valid until revoked".to_owned(),
                };
                println!(
                    "{:>4}  {:<20} acts as {:<12} created {}  last used {}  {state}",
                    t.id,
                    t.name,
                    t.username,
                    t.created_at,
                    t.last_used_at.map_or("never".to_owned(), |t| t.to_string())
                );
            }
            Ok(())
        }
        Command::Token(TokenCommand::Revoke { id }) => {
            let store = open(&config).await?;
            if app::users::revoke_api_token(&store, id, &cli_actor()).await? {
                println!("API token {id} revoked");
                Ok(())
            } else {
                bail!("there is no valid API token with id {id} (see `orderdesk token list`)")
            }
        }
        Command::Token(TokenCommand::Add { name, user, days }) => {
            let store = open(&config).await?;
            let token = app::users::create_api_token(&store, &user, &name, days, &cli_actor()).await?;
            println!("{token}");
            eprintln!(
                "API token '{name}' acting as {user} created; send it as 'Authorization: Bearer {token}'. It is not shown again."
            );
            Ok(())
        }
        Command::Demo { listen, seed, no_serve } => {
            let started = Instant::now();
            let store = open(&config).await?;
            let today = jiff::Zoned::now().date();
            match tooling::demo::load(&store, seed, today).await? {
                Some(summaries) => {
                    for (entity, summary) in summaries {
                        println!("demo {:<15} {summary}", entity.name());
                    }
                    println!("demo company created in {:.1} s", started.elapsed().as_secs_f64());
                }
                None => println!("the database already holds data; the demo company was not created again"),
            }
            if tooling::demo_inbox::letterhead(&store, &config.outbox()).await? {
                println!("demo letterhead set for order confirmations (settings page, Letterhead)");
            }
            let users = tooling::demo_inbox::create_users(&store).await?;
            for (username, role, password) in &users {
                println!("demo user {username:<8} ({:<19}) password {password}", role.label());
            }
            if users.is_empty() {
                println!("the demo users exist already; set a new password with `orderdesk user password NAME`");
            }
            if store.messages(None, 1).await?.is_empty() {
                let started = Instant::now();
                let pipeline = pipeline(&config)?;
                let count = tooling::demo_inbox::load_inbox(&store, &pipeline, seed, 60).await?;
                println!(
                    "demo inbox: {count} messages received and processed in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                let quotes = tooling::demo_quotes::load_quotes(&store, &pipeline, today).await?;
                println!("demo quotes: {quotes} RFQs quoted (draft, awaiting approval, sent, accepted, expired)");
            }
            if no_serve {
                return Ok(());
            }
            serve(store, listen.unwrap_or(config.listen.clone()), &config).await
        }
    }
}

fn cli_actor() -> domain::event::Actor {
    let who = std::env::var("USER").unwrap_or_else(|_| "cli".into());
    domain::event::Actor::System(format!("cli:{who}"))
}

async fn user(config: &Config, command: UserCommand) -> Result<()> {
    let store = open(config).await?;
    let actor = cli_actor();
    match command {
        UserCommand::Add {
            username,
            role,
            name,
            password,
        } => {
            let (password, generated) = match password {
                Some(p) => (p, false),
                None => (app::users::generate_password()?, true),
            };
            let user = app::users::add_user(&store, &username, &name, &role, &password, &actor).await?;
            println!("user {} ({}) created", user.username, user.role);
            if generated {
                println!("password {password}");
            }
        }
        UserCommand::List => {
            for u in store.users().await? {
                let state = if u.active { "active" } else { "disabled" };
                println!("{:<20} {:<12} {:<9} {}", u.username, u.role, state, u.display_name);
            }
        }
        UserCommand::Password { username, password } => {
            let (password, generated) = match password {
                Some(p) => (p, false),
                None => (app::users::generate_password()?, true),
            };
            let change = app::users::UserChange {
                password: Some(&password),
                ..Default::default()
            };
            app::users::change_user(&store, &username, change, &actor).await?;
            println!("password of {username} changed");
            if generated {
                println!("password {password}");
            }
        }
        UserCommand::Disable { username } => {
            let change = app::users::UserChange {
                active: Some(false),
                ..Default::default()
            };
            app::users::change_user(&store, &username, change, &actor).await?;
            println!("user {username} disabled");
        }
    }
    Ok(())
}

async fn extract_file(config: &Config, file: &Path, sender: Option<&str>) -> Result<()> {
    let started = std::time::Instant::now();
    let bytes = std::fs::read(file).with_context(|| format!("{}: cannot read", file.display()))?;
    let store = open(config).await?;
    tracing::debug!(ms = started.elapsed().as_secs_f64() * 1e3, "database opened");
    let catalog = app::draft::load_catalog(&store).await?;
    tracing::debug!(ms = started.elapsed().as_secs_f64() * 1e3, "catalog loaded");
    let draft = app::draft::extract_bytes(
        &store,
        &catalog,
        &bytes,
        file.file_name().and_then(|n| n.to_str()),
        sender,
        config,
    )
    .await?;
    tracing::debug!(ms = started.elapsed().as_secs_f64() * 1e3, "drafted");
    println!("{}", draft.to_json_pretty());
    Ok(())
}

async fn users_missing(store: &Store) -> Result<bool> {
    Ok(store.users().await?.is_empty())
}

/// The worker's pipeline: every message is read in a child process of this program, with limits.
fn pipeline(config: &Config) -> Result<app::intake::Pipeline> {
    let program = std::env::current_exe().context("finding this program to read messages in child processes")?;
    Ok(app::intake::Pipeline::isolated(config, program))
}

async fn bench_dashboard(config: &Config, orders: i64, days: i64) -> Result<()> {
    let dir = tempfile::tempdir().context("a temporary directory")?;
    let mut config = config.clone();
    config.database_url = format!("sqlite://{}", dir.path().join("dashboard.db").display());
    config.blob_dir = Some(dir.path().join("blobs"));
    let store = open(&config).await?;
    let started = Instant::now();
    let seeded = tooling::bench::seed_history(&store, orders, days).await?;
    println!(
        "seeded {} orders over {days} days ({} answers, {} amended) in {:.1} s",
        seeded.orders,
        seeded.mails,
        seeded.amended,
        started.elapsed().as_secs_f64()
    );
    let state = web::AppState::new(store).with_config(config);
    let me = web::auth::CurrentUser {
        username: "mia".into(),
        display_name: "Mia".into(),
        role: domain::access::Role::Manager,
        csrf: String::new(),
        session_token: None,
        tr: web::i18n::Tr::default(),
    };
    let started = Instant::now();
    web::refresh_dashboard_once(&state)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "dashboard days read ahead (as `serve` does every four minutes) in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let mut times = Vec::new();
    for round in 0..5 {
        let started = Instant::now();
        let html = web::dashboard_page(&state, &me, "", "")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        println!("home page {round}: {ms:.0} ms ({} KB)", html.len() / 1024);
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "home page server time: median {:.0} ms, best {:.0} ms",
        times[2], times[0]
    );
    // Where the time goes: the reads of the last 30 days, one by one.
    let store = &state.store;
    let now = jiff::Timestamp::now();
    let since = now - jiff::SignedDuration::from_hours(24 * 30);
    let t = Instant::now();
    let n = store.kpi_orders(since, now).await?.len();
    println!(
        "  orders of 30 days: {n} read in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    let n = store.kpi_responses(since, now).await?.len();
    println!(
        "  messages of 30 days: {n} read in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    let n = store.kpi_threads(since, now).await?.len();
    println!(
        "  threads of 30 days: {n} read in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let midnight = now.to_zoned(state.config.zone()).start_of_day()?.timestamp();
    let t = Instant::now();
    let n = store.kpi_orders(midnight, now).await?.len();
    println!(
        "  today's orders: {n} read in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    let n = store.kpi_responses(midnight, now).await?.len();
    println!(
        "  today's messages: {n} read in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    let n = store.kpi_threads(midnight, now).await?.len();
    println!(
        "  today's threads: {n} read in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    let n = store.my_work("mia", midnight, now).await?.1.len();
    println!(
        "  one person's day: {n} actions read in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    let n = store.kpi_waiting().await?.len();
    println!(
        "  drafts waiting: {n} read in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

async fn open(config: &Config) -> Result<Store> {
    Store::open(&config.database_url, config.blob_dir.as_deref())
        .await
        .with_context(|| format!("opening the database {}", store::redact(&config.database_url)))
}

async fn serve(store: Store, listen: String, config: &Config) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    // The server processes received messages too; more workers may run beside it.
    let pipeline = pipeline(config)?;
    let catalog = pipeline.catalog.clone();
    let worker = app::intake::WorkerHealth::default();
    tokio::spawn(app::intake::supervise_worker(store.clone(), pipeline, worker.clone()));
    // Mailboxes of orderdesk.toml and those administrators add in the web UI.
    tokio::spawn(app::mailbox::supervise(
        store.clone(),
        config.mailboxes.clone(),
        Duration::from_secs(10),
    ));
    for dir in &config.intake.watch_dirs {
        tokio::spawn(app::intake::watch(store.clone(), dir.clone(), Duration::from_secs(2)));
    }
    // Mail to customers (acknowledgements), once an SMTP server is set here or in the web UI.
    tokio::spawn(app::outbound::run_outbox(store.clone(), config.outbox()));
    // Overdue work is escalated once: marked in the queue, told to the
    // managers; quotes expire at their date and are followed up before it.
    tokio::spawn(app::sla::run(
        store.clone(),
        config.outbox(),
        config.sla.clone(),
        config.zone(),
        config.quotes.clone(),
    ));
    // The ERP link of orderdesk.toml, or the one administrators set in the web UI.
    tokio::spawn(app::erp::run_link(store.clone(), config.erp.clone()));
    let address = listener.local_addr().context("reading the listening address")?;
    let program = std::env::current_exe().context("finding this program to draw PDF pages in child processes")?;
    // The settings page shows where the server really listens (`--listen 127.0.0.1:0` picks a port).
    let mut serving = config.clone();
    serving.listen = address.to_string();
    let state = web::AppState::new(store)
        .with_config(serving)
        .with_catalog(catalog)
        .with_worker(worker)
        .with_page_renderer(app::pages::PageRenderer::Child(program));
    // The dashboard's closed days, read ahead so that a page reads only today.
    tokio::spawn(web::refresh_dashboard(state.clone()));
    if users_missing(&state.store).await? {
        println!("No user exists yet: create one with `orderdesk user add NAME --role admin`.");
    }
    println!("Orderdesk is running at http://{address}/ (Ctrl-C to stop)");
    web::serve(listener, state).await.context("serving HTTP")?;
    Ok(())
}

async fn import(config: &Config, entity: Entity, file: &Path) -> Result<()> {
    let store = open(config).await?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let progress = Progress::default();
    let bar = progress_bar(size, progress.clone());
    let started = Instant::now();
    let result = app::import::import_file(
        &store,
        entity,
        file,
        &config.import,
        Some(progress),
        Actor::System("import".into()),
    )
    .await;
    bar.abort();
    match result {
        Ok(summary) => {
            println!(
                "{} {}: {summary} in {:.1} s",
                entity.name(),
                file.display(),
                started.elapsed().as_secs_f64()
            );
            // The next `extract` or worker then opens the catalog at once.
            let started = Instant::now();
            match app::draft::load_catalog(&store).await {
                Ok(_) => println!("catalog saved in {:.1} s", started.elapsed().as_secs_f64()),
                Err(e) => eprintln!("warning: the catalog was not saved ({e}); it is built on next use"),
            }
            Ok(())
        }
        Err(ImportError::Rejected { path, errors, count }) => {
            for e in &errors {
                eprintln!("{}: {e}", path.display());
            }
            if count as usize > errors.len() {
                eprintln!("{}: … and {} more", path.display(), count as usize - errors.len());
            }
            bail!(
                "{}: {count} bad row(s); the file was not imported and the database is unchanged",
                path.display()
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// A progress bar on a terminal; nothing otherwise.
fn progress_bar(total: u64, progress: Progress) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if !std::io::stderr().is_terminal() || total < 1 << 20 {
            return;
        }
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        loop {
            bar.set_position(progress.load(Ordering::Relaxed));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
}

async fn export(config: &Config, entity: Entity, file: &Path) -> Result<()> {
    let store = open(config).await?;
    let count = if file == Path::new("-") {
        app::export::export(&store, entity, std::io::BufWriter::new(std::io::stdout().lock())).await?
    } else {
        let tmp = file.with_extension("csv.partial");
        let out = std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let count = app::export::export(&store, entity, std::io::BufWriter::new(out)).await?;
        std::fs::rename(&tmp, file).with_context(|| format!("writing {}", file.display()))?;
        count
    };
    if file != Path::new("-") {
        println!("{} {}: {count} rows exported", entity.name(), file.display());
    }
    Ok(())
}

/// Peak resident memory of this process, from /proc (Linux).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

async fn bench_import(config: &Config, rows: u64, file: Option<PathBuf>) -> Result<()> {
    let dir = tempfile::tempdir().context("creating a temporary directory")?;
    let path = file.unwrap_or_else(|| dir.path().join("products.csv"));
    let started = Instant::now();
    tooling::bench::write_products_csv(&path, rows, 1).with_context(|| format!("writing {}", path.display()))?;
    let size = std::fs::metadata(&path)?.len();
    println!(
        "generated {rows} products ({:.1} MiB) in {:.1} s",
        size as f64 / 1048576.0,
        started.elapsed().as_secs_f64()
    );
    let store = open(config).await?;
    println!("database: {}", store::redact(&config.database_url));
    for run in ["first import (all new)", "second import (all unchanged)"] {
        let started = Instant::now();
        let summary = app::import::import_file(
            &store,
            Entity::Products,
            &path,
            &config.import,
            None,
            Actor::System("bench".into()),
        )
        .await?;
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "{run}: {summary} in {seconds:.2} s = {:.0} rows/s",
            rows as f64 / seconds
        );
    }
    if let Some(peak) = peak_rss_mib() {
        println!("peak RSS: {peak:.0} MiB");
    }
    Ok(())
}

fn parse(file: &Path, json: bool) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let name = file.file_name().and_then(|n| n.to_str());
    let documents = document::parse_file(&bytes, name);
    if json {
        let out = serde_json::json!({ "file": name, "size_bytes": bytes.len(), "documents": documents });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    for d in &documents {
        let part = if d.part.is_empty() {
            "file".to_owned()
        } else {
            format!("part {}", d.part)
        };
        println!(
            "{part}{}: {:?}{}, {} text blocks, {} tables",
            d.name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default(),
            d.format,
            d.message_type.as_deref().map(|t| format!(" {t}")).unwrap_or_default(),
            d.text_blocks.len(),
            d.tables.len()
        );
        for kv in &d.key_values {
            println!("  {} = {}", kv.key, kv.value);
        }
        for (i, t) in d.tables.iter().enumerate() {
            println!(
                "  table {}: {} rows x {} columns",
                i + 1,
                t.rows.len(),
                t.rows.first().map_or(0, |r| r.cells.len())
            );
        }
        for diag in &d.diagnostics {
            println!("  {:?} {}: {}", diag.severity, diag.code, diag.message);
        }
    }
    Ok(())
}

async fn bench_speed(config: &Config, count: usize, products: usize) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let store = open(config).await?;
    let started = Instant::now();
    let catalog = app::draft::load_catalog(&store).await?;
    println!(
        "catalog of the database ({} products) loaded and indexed in {:.2} s",
        catalog.products().len(),
        started.elapsed().as_secs_f64()
    );
    tooling::accuracy::generate_corpus(&store, 7, count, dir.path()).await?;
    let report = tooling::accuracy::measure(&store, &catalog, dir.path(), config, &[]).await?;
    let total: f64 = report.latency_ms.values().flatten().sum();
    for line in report.print().lines().skip_while(|l| !l.starts_with("latency")) {
        println!("{line}");
    }
    println!(
        "{} documents in {:.2} s: {:.0} documents/s on one task",
        report.documents,
        total / 1e3,
        report.documents as f64 / (total / 1e3)
    );
    if products > 0 {
        let figures = tooling::bench::line_resolution(products, 20_000)?;
        print!("{figures}");
    }
    Ok(())
}

fn bench_parse(files: &[PathBuf], seconds: f64) -> Result<()> {
    for file in files {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let name = file.file_name().and_then(|n| n.to_str());
        let mut timings = Vec::new();
        let started = Instant::now();
        while started.elapsed().as_secs_f64() < seconds || timings.len() < 5 {
            let t = Instant::now();
            let docs = document::parse_file(&bytes, name);
            timings.push(t.elapsed().as_secs_f64());
            std::hint::black_box(docs);
        }
        timings.sort_by(f64::total_cmp);
        let median = timings[timings.len() / 2];
        let p99 = timings[(timings.len() * 99 / 100).min(timings.len() - 1)];
        println!(
            "{}: {} bytes, {} runs, median {:.3} ms, p99 {:.3} ms, {:.1} MB/s",
            file.display(),
            bytes.len(),
            timings.len(),
            median * 1e3,
            p99 * 1e3,
            bytes.len() as f64 / median / 1e6
        );
    }
    Ok(())
}

async fn ingest(config: &Config, paths: &[PathBuf], no_process: bool, channel: &str) -> Result<()> {
    let store = open(config).await?;
    let mut failed = 0;
    for path in paths {
        let summary = app::intake::ingest_path(&store, path, channel).await?;
        println!(
            "{}: {} received, {} duplicate(s)",
            path.display(),
            summary.received,
            summary.duplicates
        );
        for f in &summary.failed {
            eprintln!("{f}");
        }
        failed += summary.failed.len();
    }
    if !no_process {
        let n = app::intake::drain(&store, &pipeline(config)?).await?;
        println!("{n} message(s) processed");
    }
    if failed > 0 {
        bail!("{failed} file(s) could not be read");
    }
    Ok(())
}

async fn messages(config: &Config, limit: i64, show: Option<i64>) -> Result<()> {
    let store = open(config).await?;
    if let Some(id) = show {
        let m = store
            .message(id)
            .await?
            .with_context(|| format!("message {id} does not exist"))?;
        let documents: serde_json::Value = m
            .documents_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or(serde_json::Value::Null);
        let out = serde_json::json!({
            "id": m.id, "received_at": store::timestamp_text(m.received_at), "channel": m.channel, "source_name": m.source_name,
            "sha256": m.sha256, "size_bytes": m.size_bytes, "message_id": m.message_id_header, "sender": m.sender,
            "subject": m.subject, "status": m.status.as_str(), "kind": m.kind.map(|k| k.as_str()), "kind_reason": m.kind_reason, "error": m.error,
            "duplicate_of": m.duplicate_of, "processed_at": m.processed_at.map(store::timestamp_text), "documents": documents,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!(
        "{:>6}  {:<20}  {:<10}  {:<12}  {:<13}  {:<28}  subject / file",
        "id", "received (UTC)", "status", "kind", "channel", "sender"
    );
    for m in store.messages(None, limit).await? {
        let status = match m.duplicate_of {
            Some(of) => format!("dup of {of}"),
            None => m.status.as_str().to_owned(),
        };
        println!(
            "{:>6}  {:<20}  {:<10}  {:<12}  {:<13}  {:<28}  {}",
            m.id,
            m.received_at.strftime("%Y-%m-%d %H:%M:%S").to_string(),
            status,
            m.kind.map_or("-", |k| k.as_str()),
            m.channel,
            m.sender.as_deref().unwrap_or("-"),
            m.subject.as_deref().or(m.source_name.as_deref()).unwrap_or("-"),
        );
        if let Some(e) = &m.error {
            println!("{:>6}  error: {e}", "");
        }
    }
    Ok(())
}

async fn bench_intake(config: &Config, count: usize) -> Result<()> {
    let dir = tempfile::tempdir().context("creating a temporary directory")?;
    let inbox = dir.path().join("inbox");
    let bytes = tooling::bench::write_order_mails(&inbox, count, 1)?;
    println!("generated {count} order mails ({:.1} MiB)", bytes as f64 / 1048576.0);
    let store = open(config).await?;
    println!("database: {}", store::redact(&config.database_url));
    let started = Instant::now();
    let summary = app::intake::ingest_path(&store, &inbox, "upload").await?;
    let received = started.elapsed().as_secs_f64();
    let processed = app::intake::drain(&store, &pipeline(config)?).await?;
    let total = started.elapsed().as_secs_f64();
    println!(
        "received {} (+{} duplicates) in {received:.1} s; processed {processed} in {:.1} s; end to end {total:.1} s = {:.0} messages/s",
        summary.received,
        summary.duplicates,
        total - received,
        count as f64 / total
    );
    if let Some(peak) = peak_rss_mib() {
        println!("peak RSS: {peak:.0} MiB");
    }
    Ok(())
}

async fn bench_extract(products: usize, prices: usize, documents: usize) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("orderdesk.db").display());
    let store = Store::open(&url, None).await?;
    tooling::demo::load(&store, tooling::demo::DEFAULT_SEED, jiff::Zoned::now().date()).await?;
    let (products, prices) = tooling::bench::grow_catalog(&store, products, prices, 11).await?;
    let corpus = dir.path().join("documents");
    let written = tooling::accuracy::generate_corpus(&store, 5, documents, &corpus).await?;
    store.close().await;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| !p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    files.sort();
    let program = std::env::current_exe().context("finding this program")?;
    let run = |file: &Path| -> Result<f64> {
        let started = Instant::now();
        let out = std::process::Command::new(&program)
            .arg("extract")
            .arg(file)
            .env("ORDERDESK_DATABASE_URL", &url)
            .env_remove("ORDERDESK_LOG")
            .output()
            .context("running orderdesk extract")?;
        let ms = started.elapsed().as_secs_f64() * 1e3;
        if !out.status.success() {
            bail!("{}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
        }
        Ok(ms)
    };
    let Some(first) = files.first() else {
        bail!("no documents were generated")
    };
    let cold = run(first)?;
    println!("catalog: {products} products, {prices} price rows; {written} documents");
    println!("first call (builds the saved catalog): {cold:.0} ms");
    let mut by_format: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    let mut all = Vec::with_capacity(files.len());
    for file in &files {
        let ms = run(file)?;
        let format = file
            .extension()
            .map_or("?".into(), |e| e.to_string_lossy().to_lowercase());
        by_format.entry(format).or_default().push(ms);
        all.push(ms);
    }
    let line = |name: &str, v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
        println!(
            "{name:<8} n={:<4} p50 {:>6.1} ms  p95 {:>6.1} ms  p99 {:>6.1} ms  max {:>6.1} ms",
            v.len(),
            at(0.50),
            at(0.95),
            at(0.99),
            v[v.len() - 1]
        );
    };
    println!("whole process per document (start, open the database and the saved catalog, read, draft, print):");
    line("all", &mut all);
    for (format, v) in &mut by_format {
        line(format, v);
    }
    Ok(())
}

async fn erp_command(config: &Config, command: ErpCommand) -> Result<()> {
    let store = open(config).await?;
    let (settings, _) = app::settings::erp(&store, &config.erp).await?;
    let connector = || -> Result<erp::Connector> {
        app::erp::connector(&settings)?.context(
            "no ERP connector is set up: set [erp] connector = \"tryton\", \"webhook\" or \"file\" in orderdesk.toml, \
             or on the settings page",
        )
    };
    let now = jiff::Timestamp::now();
    match command {
        ErpCommand::Test => {
            let said = connector()?.test().await?;
            println!("ok: {said}");
        }
        ErpCommand::Push { order } => {
            let connector = connector()?;
            let report = match order {
                Some(id) => app::erp::push_order(&store, &connector, &settings, id, now).await?,
                None => app::erp::push_due(&store, &connector, &settings, now, 1_000).await?,
            };
            println!(
                "sent {}, already in the ERP {}, to retry {}, failed {}",
                report.sent, report.already_there, report.retrying, report.failed
            );
        }
        ErpCommand::Status { limit } => {
            let counts = store.erp_push_counts().await?;
            let line: Vec<String> = counts.iter().map(|(s, n)| format!("{} {n}", s.as_str())).collect();
            println!(
                "outbox: {}",
                if line.is_empty() {
                    "empty".to_owned()
                } else {
                    line.join(", ")
                }
            );
            if let Some(pull) = store.erp_pulls(1).await?.first() {
                println!(
                    "last pull: {} {}: {} products, {} customers, {} addresses, {} stock, {} orders{}",
                    pull.finished_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                    if pull.ok { "ok" } else { "failed" },
                    pull.products,
                    pull.customers,
                    pull.addresses,
                    pull.stock,
                    pull.orders,
                    pull.note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
                );
            }
            for p in store.erp_pushes(None, limit).await? {
                println!(
                    "#{} order {} v{} {} {} attempts {}{}{}",
                    p.id,
                    p.order_id,
                    p.order_version,
                    p.kind.as_str(),
                    p.status.as_str(),
                    p.attempts,
                    p.erp_reference.map(|r| format!(" ref {r}")).unwrap_or_default(),
                    p.last_error.map(|e| format!(" ({e})")).unwrap_or_default(),
                );
            }
        }
        ErpCommand::Retry { push } => {
            if !store.retry_erp_push(push, &Actor::System("cli".into()), now).await? {
                bail!("push {push} does not exist or was sent already");
            }
            println!("push {push} is due again");
        }
        ErpCommand::Pull => {
            let erp::Connector::Tryton(tryton) = connector()? else {
                bail!("pulling needs the Tryton connector ([erp] connector = \"tryton\")");
            };
            let r = app::erp_pull::pull(&store, &tryton, now).await?;
            println!(
                "pulled: {} products, {} customers, {} addresses, {} stock rows changed; {} orders with a new ERP status; {} left out",
                r.products, r.customers, r.addresses, r.stock, r.orders, r.skipped
            );
            for note in &r.notes {
                println!("  {note}");
            }
        }
    }
    Ok(())
}
