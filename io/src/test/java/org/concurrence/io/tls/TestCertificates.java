package org.concurrence.io.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates made for a test run by the JDK's {@code keytool}, in a temporary directory: a server's for
 * {@code localhost} and {@code 127.0.0.1}, and a client's for mutual TLS.
 */
final class TestCertificates {
    static final char[] PASSWORD = "changeit".toCharArray();

    final KeyStore server;
    final KeyStore client;
    /** Trusts the server's certificate only. */
    final KeyStore trustsServer;
    /** Trusts the client's certificate only. */
    final KeyStore trustsClient;

    private TestCertificates(KeyStore server, KeyStore client) throws GeneralSecurityException, IOException {
        this.server = server;
        this.client = client;
        this.trustsServer = trusting(server.getCertificate("key"));
        this.trustsClient = trusting(client.getCertificate("key"));
    }

    static TestCertificates make() throws IOException, GeneralSecurityException, InterruptedException {
        Path directory = Files.createTempDirectory("concurrence-tls");
        try {
            KeyStore server = generate(directory.resolve("server.p12"), "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
            KeyStore client = generate(directory.resolve("client.p12"), "CN=test client", null);
            return new TestCertificates(server, client);
        } finally {
            try (var files = Files.list(directory)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(directory);
        }
    }

    private static KeyStore generate(Path file, String subject, String extension)
            throws IOException, GeneralSecurityException, InterruptedException {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        List<String> command = new ArrayList<>(List.of(keytool, "-genkeypair", "-alias", "key", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", subject, "-validity", "2", "-storetype", "PKCS12",
                "-keystore", file.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)));
        if (extension != null) {
            command.addAll(List.of("-ext", extension));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + command + "\n" + output);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD);
        }
        return store;
    }

    private static KeyStore trusting(Certificate certificate) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("trusted", certificate);
        return store;
    }
}
