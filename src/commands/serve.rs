//! `nsync serve`: runs nsync's own authoritative nameserver on a folder of zone files, the
//! one the `builtin` provider writes, for teams that host one of their providers
//! themselves (a hidden primary, or a last-resort provider). Runs until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::cli::{Global, ServeArgs};
use crate::config::{config_path, read_config};
use crate::report::Outcome;
use crate::serve::{Zones, bind, start};

/// Where a standalone `nsync serve` listens unless told otherwise (no root needed).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:5353";

/// What to serve: the folder, the addresses, and who besides loopback may transfer.
type ToServe = (PathBuf, Vec<String>, Vec<std::net::IpAddr>);

/// The folder and addresses: from the flags, or from a builtin provider in nsync.toml.
fn what_to_serve(global: &Global, args: &ServeArgs) -> anyhow::Result<ToServe> {
    if let Some(dir) = &args.directory {
        let listen = if args.listen.is_empty() {
            vec![DEFAULT_LISTEN.to_string()]
        } else {
            args.listen.clone()
        };
        return Ok((dir.clone(), listen, args.allow_transfer.clone()));
    }
    let path = config_path(global.config.as_deref());
    let (config, diags) = read_config(&path);
    if diags.iter().any(|d| d.is_error()) {
        bail!(
            "{} has errors; run `nsync check`, or give --directory DIR",
            path.display()
        );
    }
    let config = config.context("reading the config")?;
    let builtin: Vec<_> = config
        .providers
        .values()
        .filter(|p| {
            // A kind nsync serve runs is one that says where it listens (`builtin`).
            p.kind.keys.iter().any(|k| k.key == "listen")
                && (global.providers.is_empty() || global.providers.contains(&p.name))
        })
        .collect();
    let p = match builtin.as_slice() {
        [one] => *one,
        [] => bail!(
            "no provider of kind \"builtin\" in {}; add one, or give --directory DIR",
            path.display()
        ),
        _ => bail!(
            "several builtin providers in {}; choose one with --provider NAME",
            path.display()
        ),
    };
    let dir = p
        .settings
        .str("directory")
        .context("the builtin provider has no directory")?;
    let listen = if !args.listen.is_empty() {
        args.listen.clone()
    } else {
        p.settings
            .strings("listen")
            .map(<[String]>::to_vec)
            .unwrap_or_else(|| vec![DEFAULT_LISTEN.to_string()])
    };
    let mut allow = args.allow_transfer.clone();
    for a in p.settings.strings("allow_transfer").unwrap_or_default() {
        allow.push(a.parse().with_context(|| {
            format!(
                "provider {}: allow_transfer `{a}` is not an IP address",
                p.name
            )
        })?);
    }
    Ok((PathBuf::from(dir), listen, allow))
}

pub fn run(global: &Global, args: &ServeArgs) -> anyhow::Result<Outcome> {
    let inv = super::invocation(global);
    let log = inv.log.clone();
    let (dir, listen, allow_transfer) = what_to_serve(global, args)?;
    if !dir.is_dir() {
        bail!(
            "{} is not a folder; create it, or run `nsync sync` to a builtin provider that writes it",
            dir.display()
        );
    }
    let addresses: Vec<SocketAddr> = listen
        .iter()
        .map(|a| {
            a.parse().with_context(|| {
                format!("--listen {a}: give an address and port, e.g. 127.0.0.1:5353")
            })
        })
        .collect::<anyhow::Result<_>>()?;
    super::runtime()?.block_on(async {
        let zones = Zones::default().with_transfers_from(allow_transfer);
        let mut running = Vec::new();
        for (i, addr) in addresses.iter().enumerate() {
            let (udp, tcp) = bind(*addr)
                .await
                .with_context(|| format!("listening on {addr} (UDP and TCP)"))?;
            let folder = (i == 0).then(|| dir.clone());
            let server = start(udp, tcp, zones.clone(), folder).await?;
            log.info(&format!(
                "nsync serve: serving the zone files of {} on {} (UDP and TCP); Ctrl-C stops",
                dir.display(),
                server.address
            ));
            running.push(server);
        }
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
        for server in running {
            server.stop().await;
        }
        log.info("nsync serve: stopped");
        Ok(Outcome::Ok)
    })
}
