//! `tls-init`: a local certificate authority for an office without a domain name, and the
//! server certificate it signs.
//!
//! Why a local CA and not a self-signed server certificate: tablets trust the CA once;
//! a renewed server certificate (`tls-init --renew`) is signed by the same CA, so nobody
//! has to touch the tablets again. Why name constraints: a tablet that trusts this CA
//! must not trust it for any other name, so the CA may only sign for the office's host
//! name and address range; a stolen CA key cannot impersonate a bank. The server
//! certificate lives at most 825 days, the longest an iPad accepts.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    NameConstraints, SanType,
};
use sha2::{Digest, Sha256};

/// The longest life of a server certificate, in days (iPadOS refuses longer ones).
pub const SERVER_DAYS: i64 = 825;
/// The life of the local CA, in days (ten years).
pub const CA_DAYS: i64 = 3650;

/// The files `tls-init` writes into its folder.
#[derive(Debug, Clone)]
pub struct Files {
    pub ca_cert: PathBuf,
    pub ca_key: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    pub poster: PathBuf,
}

impl Files {
    pub fn in_dir(dir: &Path) -> Files {
        Files {
            ca_cert: dir.join("ca.crt"),
            ca_key: dir.join("ca.key"),
            cert: dir.join("server.crt"),
            key: dir.join("server.key"),
            poster: dir.join("ca-poster.html"),
        }
    }
}

/// An address for the server certificate: `192.168.1.10` or `192.168.1.10/24` (the
/// address goes into the certificate; the range into the CA's name constraints).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpArg {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl IpArg {
    /// The first address of the range (host bits cleared), as a name constraint needs it.
    pub fn network(&self) -> IpAddr {
        match self.addr {
            IpAddr::V4(a) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                IpAddr::V4((u32::from(a) & mask).into())
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                IpAddr::V6((u128::from(a) & mask).into())
            }
        }
    }
}

impl std::str::FromStr for IpArg {
    type Err = String;

    fn from_str(s: &str) -> Result<IpArg, String> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s} is not an IP address (or address/prefix)"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s}: the prefix must be 0 to {max}"))?,
            None => max,
        };
        Ok(IpArg { addr, prefix })
    }
}

/// The SHA-256 fingerprint of a certificate (DER), as `AB:CD:…`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn days_from_now(days: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::days(days)
}

fn ca_params(hostnames: &[String], ips: &[IpArg]) -> anyhow::Result<CertificateParams> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "红领认证 本地证书颁发机构");
    dn.push(DnType::OrganizationName, "红领认证");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let mut permitted: Vec<GeneralSubtree> = hostnames
        .iter()
        .map(|h| GeneralSubtree::DnsName(h.clone()))
        .collect();
    permitted.extend(ips.iter().map(|ip| {
        GeneralSubtree::IpAddress(CidrSubnet::from_addr_prefix(ip.network(), ip.prefix))
    }));
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted,
        excluded_subtrees: Vec::new(),
    });
    params.not_before = days_from_now(-1);
    params.not_after = days_from_now(CA_DAYS);
    Ok(params)
}

fn server_params(hostnames: &[String], ips: &[IpArg]) -> anyhow::Result<CertificateParams> {
    let mut params = CertificateParams::new(hostnames.to_vec())?;
    for ip in ips {
        params.subject_alt_names.push(SanType::IpAddress(ip.addr));
    }
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, hostnames[0].clone());
    params.distinguished_name = dn;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = days_from_now(-1);
    params.not_after = days_from_now(SERVER_DAYS);
    Ok(params)
}

fn write_secret(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

/// What `tls-init` did.
#[derive(Debug)]
pub struct Report {
    pub files: Files,
    pub ca_fingerprint: String,
}

/// Makes a new CA and a server certificate in `dir`, or with `renew` a new server
/// certificate from the CA already there.
pub fn init(
    dir: &Path,
    hostnames: &[String],
    ips: &[IpArg],
    renew: bool,
) -> anyhow::Result<Report> {
    if hostnames.is_empty() {
        bail!("give the server's name with --hostname (tablets open https://NAME)");
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = Files::in_dir(dir);
    let (ca_pem, ca_key) = if renew {
        let pem = std::fs::read_to_string(&files.ca_cert).with_context(|| {
            format!(
                "--renew needs the CA made by tls-init: {} is missing",
                files.ca_cert.display()
            )
        })?;
        let key = KeyPair::from_pem(&std::fs::read_to_string(&files.ca_key)?)
            .context("cannot read the CA's key")?;
        (pem, key)
    } else {
        if files.ca_cert.exists() {
            bail!(
                "{} exists: use --renew for a new server certificate from the same CA \
                 (tablets already trust it), or another folder",
                files.ca_cert.display()
            );
        }
        let key = KeyPair::generate()?;
        let cert = ca_params(hostnames, ips)?.self_signed(&key)?;
        write_secret(&files.ca_key, &key.serialize_pem())?;
        std::fs::write(&files.ca_cert, cert.pem())?;
        (cert.pem(), key)
    };
    let issuer =
        Issuer::from_ca_cert_pem(&ca_pem, &ca_key).context("cannot read the CA's certificate")?;
    let server_key = KeyPair::generate()?;
    let server = server_params(hostnames, ips)?.signed_by(&server_key, &issuer)?;
    write_secret(&files.key, &server_key.serialize_pem())?;
    // The chain a client needs: the server certificate, then the CA.
    std::fs::write(&files.cert, format!("{}{}", server.pem(), ca_pem))?;
    let ca_der = pem_der(&ca_pem)?;
    let ca_fingerprint = fingerprint(&ca_der);
    std::fs::write(&files.poster, poster(&ca_fingerprint, hostnames))?;
    Ok(Report {
        files,
        ca_fingerprint,
    })
}

/// The DER of the first certificate of a PEM text.
pub fn pem_der(pem: &str) -> anyhow::Result<Vec<u8>> {
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE-----"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .context("not a PEM certificate")
}

/// A one-page poster of the CA's fingerprint, to put up in the office: tablets compare it
/// with what `/install` and their settings show before they trust the CA.
pub fn poster(fingerprint: &str, hostnames: &[String]) -> String {
    let groups: Vec<&str> = fingerprint.split(':').collect();
    let lines: Vec<String> = groups.chunks(8).map(|c| c.join(" ")).collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>红领认证 证书指纹</title>\n\
         <style>body{{font-family:sans-serif;margin:3cm 2cm}}h1{{color:#b3121f}}\
         pre{{font-size:20pt;line-height:1.6}}</style></head><body>\n\
         <h1>红领认证 本地证书颁发机构</h1>\n\
         <p>平板安装证书前，请核对设备上显示的 SHA-256 指纹与下面完全一致；不一致请勿安装，并告知信息管理员。</p>\n\
         <p>服务器地址：https://{host}</p>\n<pre>{fp}</pre>\n</body></html>\n",
        host = hostnames[0],
        fp = lines.join("\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_arguments_take_an_address_or_a_range() {
        assert_eq!(
            "192.168.1.10/24".parse::<IpArg>().unwrap(),
            IpArg {
                addr: "192.168.1.10".parse().unwrap(),
                prefix: 24
            }
        );
        assert_eq!("10.0.0.5".parse::<IpArg>().unwrap().prefix, 32);
        let range: IpArg = "192.168.1.10/24".parse().unwrap();
        assert_eq!(range.network(), "192.168.1.0".parse::<IpAddr>().unwrap());
        let all: IpArg = "10.1.2.3/0".parse().unwrap();
        assert_eq!(all.network(), "0.0.0.0".parse::<IpAddr>().unwrap());
        assert!("10.0.0.5/33".parse::<IpArg>().is_err());
        assert!("hongling".parse::<IpArg>().is_err());
    }
}
