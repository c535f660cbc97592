//! `discburn serve`: the virtual recorders as one iSCSI target, until Ctrl-C.

use discburn::mmc::clock::SystemClock;
use discburn::serve::{ServeError, Server, ServerConfig, TargetAuth};
use serde_json::json;

use crate::cli::{Global, ServeArgs};
use crate::exit::{self, Failure};

/// Where the CHAP secrets come from (never the command line: the process list shows it).
const CHAP_SECRET_ENV: &str = "DISCBURN_CHAP_SECRET";
const CHAP_MUTUAL_SECRET_ENV: &str = "DISCBURN_CHAP_MUTUAL_SECRET";

pub fn run(g: &Global, a: &ServeArgs) -> Result<(), Failure> {
    let auth = auth(a)?;
    if !a.listen.ip().is_loopback() && matches!(auth, TargetAuth::None) && !a.no_auth {
        return Err(Failure::new(
            exit::USAGE,
            format!(
                "Refusing to serve on {} without authentication: anyone who can reach it could write to the drives",
                a.listen
            ),
        )
        .hint(format!(
            "Require CHAP with --chap-user USER (secret in ${CHAP_SECRET_ENV}), or pass --no-auth"
        )));
    }
    let clock = SystemClock::shared();
    let luns = discburn::serve::open_luns(&a.drives, &clock).map_err(|e| {
        let address = a
            .drives
            .iter()
            .find(|d| e.to_string().contains(&discburn::redact_address(d)))
            .map_or("", String::as_str);
        exit::open_failure(address, &e)
    })?;
    let mut config = ServerConfig::new(a.iqn.clone());
    config.auth = auth;
    let server = Server::bind(a.listen, config, luns).map_err(|e| bind_failure(a, &e))?;
    let handle = server.shutdown_handle();
    // Ctrl-C, SIGTERM or SIGHUP (ctrlc's "termination" feature) stop the target; the
    // drives save their state when `run` hands them back.
    let _ = ctrlc::set_handler(move || handle.shutdown());
    if g.json {
        let luns: Vec<_> = a
            .drives
            .iter()
            .enumerate()
            .map(|(n, d)| json!({"lun": n, "url": server.url(n as u16), "drive": discburn::redact_address(d)}))
            .collect();
        println!(
            "{}",
            json!({"event": "serving", "iqn": server.iqn(), "listen": server.local_addr().to_string(), "luns": luns})
        );
    } else {
        println!("target {} on {}", server.iqn(), server.local_addr());
        for (n, d) in a.drives.iter().enumerate() {
            println!("{}  {}", server.url(n as u16), discburn::redact_address(d));
        }
        eprintln!(
            "Serving {} drive{}; Ctrl-C stops and saves their state.",
            a.drives.len(),
            if a.drives.len() == 1 { "" } else { "s" }
        );
    }
    tracing::info!(iqn = server.iqn(), listen = %server.local_addr(), "serving");
    let luns = server
        .run()
        .map_err(|e| Failure::new(exit::INTERNAL, format!("The target stopped: {e}")))?;
    // Dropping each drive saves its state file, as a drive flushes at power-down.
    drop(luns);
    if g.json {
        println!("{}", json!({"event": "stopped"}));
    } else {
        eprintln!("Stopped; the drives' state is saved.");
    }
    Ok(())
}

fn auth(a: &ServeArgs) -> Result<TargetAuth, Failure> {
    let Some(user) = &a.chap_user else {
        return Ok(TargetAuth::None);
    };
    let secret = |var: &str| {
        std::env::var(var)
            .ok()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Failure::new(
                    exit::USAGE,
                    format!("CHAP needs a secret, and ${var} is not set"),
                )
                .hint(format!(
                    "Set it in the environment: {var}=… discburn serve …"
                ))
            })
    };
    let mutual = match &a.chap_mutual_user {
        Some(m) => Some((m.clone(), secret(CHAP_MUTUAL_SECRET_ENV)?)),
        None => None,
    };
    Ok(TargetAuth::Chap {
        user: user.clone(),
        secret: secret(CHAP_SECRET_ENV)?,
        mutual,
    })
}

fn bind_failure(a: &ServeArgs, e: &ServeError) -> Failure {
    let f = Failure::new(exit::USAGE, format!("Cannot listen on {}: {e}", a.listen));
    match e {
        ServeError::AddrInUse { .. } => f.hint(format!(
            "Another program (tgtd, another discburn serve) listens on port {}; choose a free one with --listen {}:PORT",
            a.listen.port(),
            a.listen.ip()
        )),
        _ => f.hint("Listen on an address of this machine, e.g. --listen 127.0.0.1:3260"),
    }
}
