package org.concurrence.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The self-signed certificate of a TLS benchmark run ({@code bench tls-idle}, the HTTPS loads of {@code bench http}):
 * an EC P-256 key for {@code localhost} and {@code 127.0.0.1}, made by the JDK's {@code keytool} into a PKCS12 file
 * (alias {@value #ALIAS}, password {@code changeit}) that every server child loads, so all servers present the same
 * certificate; and the client context trusting it.
 */
final class BenchCertificate {
    /** The password of the key store and of its key. */
    static final char[] PASSWORD = "changeit".toCharArray();
    /** The key's alias in the store. */
    static final String ALIAS = "key";
    /** The one TLS version every HTTPS server of {@code bench http} enables. */
    static final String TLS_VERSION = "TLSv1.3";

    private BenchCertificate() {}

    /** Makes a new key and self-signed certificate (valid 2 days) into the PKCS12 file {@code file}. */
    static void generate(Path file) throws IOException, InterruptedException {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", new String(PASSWORD),
                "-keypass", new String(PASSWORD)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
    }

    /** The PKCS12 store in {@code file}. */
    static KeyStore load(Path file) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keys.load(in, PASSWORD);
        }
        return keys;
    }

    /** The private key of {@code keys}. */
    static PrivateKey privateKey(KeyStore keys) throws GeneralSecurityException {
        return (PrivateKey) keys.getKey(ALIAS, PASSWORD);
    }

    /** The certificate chain of {@code keys} (the one self-signed certificate). */
    static X509Certificate[] chain(KeyStore keys) throws GeneralSecurityException {
        Certificate[] chain = keys.getCertificateChain(ALIAS);
        return Arrays.copyOf(chain, chain.length, X509Certificate[].class);
    }

    /** A client context trusting only the certificate in {@code server}. */
    static SSLContext clientContext(KeyStore server) throws GeneralSecurityException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try {
            trusted.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        trusted.setCertificateEntry("server", server.getCertificate(ALIAS));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
