import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export type KeyPair = { key: string; cert: string };

export type CertificateOptions = {
  /** Host names and IP addresses the certificate is for; 127.0.0.1 and localhost by default. */
  hosts?: string[];
  notBefore?: Date;
  notAfter?: Date;
};

export type TestAuthority = {
  /** The CA certificate (PEM), to trust in the code under test. */
  ca: string;
  /** A certificate signed by the CA. */
  issue(options?: CertificateOptions): KeyPair;
  /** A certificate signed by its own key. */
  selfSigned(options?: CertificateOptions): KeyPair;
  /** Deletes the keys and certificates. */
  remove(): void;
};

const DAY_MS = 86_400_000;

// `openssl ca` rather than `req -x509`/`x509 -req`: OpenSSL 3.0 can only backdate a certificate
// (for an expired one) through its -startdate/-enddate options.
const CA_CONFIG = `
[ca]
default_ca = test_ca
[test_ca]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any_name
unique_subject = no
[any_name]
commonName = supplied
`;

/** A throwaway certificate authority in a temp dir, made with the openssl CLI. */
export function createTestAuthority(): TestAuthority {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-certs-"));
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const read = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
  fs.writeFileSync(path.join(dir, "ca.cnf"), CA_CONFIG);
  fs.writeFileSync(path.join(dir, "index.txt"), "");
  fs.writeFileSync(path.join(dir, "serial"), "1000\n");
  openssl(
    ...["req", "-x509", "-nodes", ...newKey("ca.key"), "-out", "ca.crt", "-days", "3650"],
    ...["-subj", "/CN=Opsdeck Test CA/O=Opsdeck", "-addext", "basicConstraints=critical,CA:TRUE"],
    ...["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
  );

  let issued = 0;
  function sign(options: CertificateOptions, signer: (key: string) => string[]): KeyPair {
    const name = `leaf${++issued}`;
    const hosts = options.hosts ?? ["127.0.0.1", "localhost"];
    const altNames = hosts.map((host) => (net.isIP(host) ? `IP:${host}` : `DNS:${host}`));
    fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${altNames.join(",")}\n`);
    const [key, csr] = [`${name}.key`, `${name}.csr`];
    openssl("req", "-new", "-nodes", ...newKey(key), "-out", csr, "-subj", `/CN=${hosts[0]}`);
    const notBefore = options.notBefore ?? new Date(Date.now() - DAY_MS);
    const notAfter = options.notAfter ?? new Date(Date.now() + 30 * DAY_MS);
    openssl(
      ...["ca", "-batch", "-notext", "-config", "ca.cnf", ...signer(key)],
      ...["-startdate", asn1Time(notBefore), "-enddate", asn1Time(notAfter)],
      ...["-extfile", `${name}.ext`, "-in", csr, "-out", `${name}.crt`],
    );
    return { key: read(key), cert: read(`${name}.crt`) };
  }

  return {
    ca: read("ca.crt"),
    issue: (options = {}) => sign(options, () => ["-cert", "ca.crt", "-keyfile", "ca.key"]),
    selfSigned: (options = {}) => sign(options, (key) => ["-selfsign", "-keyfile", key]),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

// Elliptic-curve keys: generated in microseconds, where RSA takes a noticeable while.
function newKey(file: string): string[] {
  return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-keyout", file];
}

/** 2026-01-02T03:04:05Z → "20260102030405Z", the form `openssl ca` takes. */
function asn1Time(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
}
