//! HTTPS through the real binary: `tls-init` makes a name-constrained CA and a server
//! certificate, `serve --tls-cert --tls-key` speaks HTTP/1.1 and HTTP/2 with it, a
//! certificate for a name outside the CA's constraints is refused by a client that trusts
//! the CA, and SIGHUP puts a renewed certificate in use without a restart.

mod common;

use std::net::SocketAddr;
use std::path::Path;

use common::{Server, run_cli};

fn tls_init(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["tls-init", "--out", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (ok, out, err) = run_cli(&args, "");
    assert!(ok, "tls-init {extra:?}: {err}");
    out
}

fn client(ca: &Path, addr: SocketAddr) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(&std::fs::read(ca).unwrap()).unwrap();
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .resolve("hongling.test", addr)
        .resolve("bank.example", addr)
        .tls_info(true)
        .build()
        .unwrap()
}

fn peer_der(res: &reqwest::Response) -> Vec<u8> {
    res.extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|i| i.peer_certificate())
        .unwrap()
        .to_vec()
}

// Multi-threaded, so the client's connections can answer the server's GOAWAY while the
// test waits for the process to end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_a_local_ca_is_checked_by_name_and_renewed_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("tls");
    let out = tls_init(
        &certs,
        &["--hostname", "hongling.test", "--ip", "127.0.0.1/8"],
    );
    assert!(out.contains("fingerprint"), "{out}");
    let poster = std::fs::read_to_string(certs.join("ca-poster.html")).unwrap();
    let ca_der =
        hongling_server::tls::pem_der(&std::fs::read_to_string(certs.join("ca.crt")).unwrap())
            .unwrap();
    let fp = hongling_server::tls::fingerprint(&ca_der);
    assert!(out.contains(&fp));
    assert!(poster.contains(&fp.split(':').take(8).collect::<Vec<_>>().join(" ")));
    use std::os::unix::fs::PermissionsExt;
    for secret in ["ca.key", "server.key"] {
        let mode = std::fs::metadata(certs.join(secret))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{secret}");
    }
    // A second tls-init in the same folder would make a CA the tablets do not trust.
    let (ok, _, err) = run_cli(
        &[
            "tls-init",
            "--out",
            certs.to_str().unwrap(),
            "--hostname",
            "hongling.test",
        ],
        "",
    );
    assert!(!ok && err.contains("--renew"), "{err}");

    let cert = certs.join("server.crt");
    let key = certs.join("server.key");
    let mut server = Server::start_args(
        &dir.path().join("tls.sqlite"),
        &[],
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    let base = server.base.clone();
    assert!(base.starts_with("https://"), "{base}");
    let addr: SocketAddr = base.trim_start_matches("https://").parse().unwrap();
    let http = client(&certs.join("ca.crt"), addr);
    let url = format!("https://hongling.test:{}/api/v1/health", addr.port());
    let res = http.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.version(), reqwest::Version::HTTP_2, "HTTP/2 by ALPN");
    let first = peer_der(&res);
    let res = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(certs.join("ca.crt")).unwrap()).unwrap(),
        )
        .resolve("hongling.test", addr)
        .http1_only()
        .build()
        .unwrap()
        .get(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(res.version(), reqwest::Version::HTTP_11, "and HTTP/1.1");

    // Renewed for a name the CA may not sign for: the client refuses it, so the name
    // constraints are really there and really checked.
    tls_init(&certs, &["--renew", "--hostname", "bank.example"]);
    server.hangup();
    let bank = format!("https://bank.example:{}/api/v1/health", addr.port());
    let mut refused = false;
    for _ in 0..50 {
        if let Err(e) = client(&certs.join("ca.crt"), addr).get(&bank).send().await {
            refused = format!("{e:?}").to_lowercase().contains("certificate");
            if refused {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        refused,
        "a certificate outside the CA's name constraints is refused"
    );

    // Renewed properly: the new certificate is in use after SIGHUP, no restart.
    tls_init(
        &certs,
        &[
            "--renew",
            "--hostname",
            "hongling.test",
            "--ip",
            "127.0.0.1/8",
        ],
    );
    server.hangup();
    let renewed = hongling_server::tls::pem_der(&std::fs::read_to_string(&cert).unwrap()).unwrap();
    assert_ne!(renewed, first);
    let mut seen = Vec::new();
    for _ in 0..50 {
        if let Ok(res) = client(&certs.join("ca.crt"), addr).get(&url).send().await {
            seen = peer_der(&res);
            if seen == renewed {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen, renewed, "SIGHUP put the renewed certificate in use");
    drop(http);
    let stopping = std::time::Instant::now();
    assert!(
        server.terminate().success(),
        "SIGTERM stops the HTTPS server cleanly"
    );
    assert!(
        stopping.elapsed() < std::time::Duration::from_secs(10),
        "with no request under way it stops at once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_redirects_to_https_except_the_page_that_installs_the_ca() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("tls");
    tls_init(
        &certs,
        &["--hostname", "hongling.test", "--ip", "127.0.0.1"],
    );
    let cert = certs.join("server.crt");
    let key = certs.join("server.key");
    let mut server = Server::start_args(
        &dir.path().join("r.sqlite"),
        &[],
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
            "--redirect-http",
            "127.0.0.1:0",
        ],
    );
    let https: SocketAddr = server.base.trim_start_matches("https://").parse().unwrap();
    let plain = server
        .banner
        .iter()
        .find_map(|l| l.strip_prefix("redirecting http://"))
        .and_then(|l| l.split_whitespace().next())
        .expect("the redirect listener's address")
        .to_owned();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let ca_pem = std::fs::read_to_string(certs.join("ca.crt")).unwrap();
    let fp = hongling_server::tls::fingerprint(&hongling_server::tls::pem_der(&ca_pem).unwrap());

    let res = http
        .get(format!("http://{plain}/install"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let page = res.text().await.unwrap();
    let first_group = fp.split(':').take(8).collect::<Vec<_>>().join(" ");
    assert!(
        page.contains(&first_group),
        "the fingerprint to compare with the poster"
    );
    for words in ["核对", "安装证书", "证书信任设置", "<svg"] {
        assert!(page.contains(words), "{words}");
    }
    let res = http
        .get(format!("http://{plain}/ca.crt"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/x-x509-ca-cert");
    assert_eq!(res.text().await.unwrap(), ca_pem);

    let res = http
        .get(format!("http://{plain}/workers?q=zhang"))
        .header(
            "host",
            format!("hongling.test:{}", plain.rsplit(':').next().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 308);
    assert_eq!(
        res.headers()["location"],
        format!("https://hongling.test:{}/workers?q=zhang", https.port()).as_str()
    );
    // Over https the page is there too, for a tablet that trusts the CA already.
    let res = client(&certs.join("ca.crt"), https)
        .get(format!("https://hongling.test:{}/install", https.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains(&first_group));
    drop(http);
    assert!(server.terminate().success());
}
