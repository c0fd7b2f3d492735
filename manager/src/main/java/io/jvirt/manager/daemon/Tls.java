package io.jvirt.manager.daemon;

import io.jvirt.manager.VirtException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS material for the daemon's TCP listener and its clients: a PEM certificate chain with a
 * PKCS#8 PEM key (what {@code openssl req -newkey ... -nodes} writes), or a PKCS#12 keystore
 * (what {@code keytool -genkeypair -storetype PKCS12} writes). A client trusts the certificates
 * in a PEM file it is given, else the JDK's default trust store.
 */
public final class Tls {

    // RFC 7468 textual encoding.
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final char[] NO_PASSWORD = new char[0];

    private Tls() {
    }

    private record Block(String label, byte[] der) {
    }

    private static List<Block> pem(Path file) throws IOException {
        List<Block> out = new ArrayList<>();
        Matcher m = PEM.matcher(Files.readString(file, StandardCharsets.US_ASCII));
        while (m.find()) {
            out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
        }
        return out;
    }

    private static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<Certificate> certs = new ArrayList<>();
        for (Block b : pem(file)) {
            if (b.label().equals("CERTIFICATE")) {
                certs.add(cf.generateCertificate(new ByteArrayInputStream(b.der())));
            }
        }
        return certs;
    }

    private static PrivateKey key(Path file) throws IOException, GeneralSecurityException {
        for (Block b : pem(file)) {
            if (b.label().equals("PRIVATE KEY")) {
                PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(b.der());
                for (String alg : List.of("RSA", "EC", "Ed25519", "Ed448")) {
                    try {
                        return KeyFactory.getInstance(alg).generatePrivate(spec);
                    } catch (GeneralSecurityException e) {
                        // try the next algorithm
                    }
                }
                throw new GeneralSecurityException("the key in " + file + " is not RSA, EC or EdDSA");
            }
        }
        throw new GeneralSecurityException(file + " has no '-----BEGIN PRIVATE KEY-----' (PKCS#8) block;"
                + " convert it with 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8'");
    }

    private static VirtException bad(String what, Path file, Exception e) {
        return new VirtException(VirtException.Code.INVALID_ARG, "invalid argument: cannot use " + what + " " + file + ": "
                + e.getMessage());
    }

    /** The server side from a PEM certificate chain and its PKCS#8 key. */
    public static SSLContext server(Path certFile, Path keyFile) throws VirtException {
        try {
            List<Certificate> chain = certificates(certFile);
            if (chain.isEmpty()) {
                throw new GeneralSecurityException("no '-----BEGIN CERTIFICATE-----' block");
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("jvirtd", key(keyFile), NO_PASSWORD, chain.toArray(new Certificate[0]));
            return context(ks, NO_PASSWORD, null);
        } catch (IOException | GeneralSecurityException e) {
            throw bad("--tls-cert/--tls-key", certFile, e);
        }
    }

    /** The server side from a PKCS#12 keystore holding one key entry. */
    public static SSLContext server(Path keystore, char[] password) throws VirtException {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            return context(ks, password, null);
        } catch (IOException | GeneralSecurityException e) {
            throw bad("--tls-keystore", keystore, e);
        }
    }

    /** A client trusting the PEM certificates in {@code ca}, or the JDK's defaults when null. */
    public static SSLContext client(Path ca) throws VirtException {
        try {
            if (ca == null) {
                return SSLContext.getDefault();
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            List<Certificate> certs = certificates(ca);
            if (certs.isEmpty()) {
                throw new GeneralSecurityException("no '-----BEGIN CERTIFICATE-----' block (export one with"
                        + " 'keytool -exportcert -rfc' or use the server's PEM certificate)");
            }
            trust.load(null, null);
            for (int i = 0; i < certs.size(); i++) {
                trust.setCertificateEntry("ca" + i, certs.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, tmf.getTrustManagers(), null);
            return c;
        } catch (IOException | GeneralSecurityException e) {
            throw bad("the CA file", ca, e);
        }
    }

    private static SSLContext context(KeyStore ks, char[] password, TrustManagerFactory tmf) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        return c;
    }
}
