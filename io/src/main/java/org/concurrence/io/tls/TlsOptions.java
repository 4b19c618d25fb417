package org.concurrence.io.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * How one side of a TLS session is set up: which side it is, its {@link SSLContext} (keys and trusted
 * certificates), the application protocols it offers or accepts (ALPN), the TLS versions, and for a client whether the
 * server's certificate must name the host it connected to.
 *
 * <pre>{@code
 * TlsOptions client = TlsOptions.client().withApplicationProtocols("h2", "http/1.1");   // the JDK's trusted CAs
 * TlsOptions server = TlsOptions.server(keyStore, password);
 * }</pre>
 *
 * <p>Immutable (the lists are copied); one instance may set up any number of sessions, from any thread. Nothing here
 * blocks on the network: the handshake happens in {@link TlsSocket}, under its caller's deadline.
 *
 * @param clientMode           true for the side that connects, false for the server's
 * @param context              where keys and trust come from
 * @param applicationProtocols ALPN: for a client the protocols it offers, for a server the ones it accepts, in its
 *                             order of preference (the server picks the first of its own that the client offers); empty
 *                             for no ALPN
 * @param protocols            the TLS versions to enable ({@code "TLSv1.3"}, {@code "TLSv1.2"}); empty for the
 *                             context's defaults
 * @param verifyHostname       client only: check that the server's certificate names the host (endpoint
 *                             identification "HTTPS"); on by default, and turning it off lets anyone with a trusted
 *                             certificate impersonate the server
 * @param clientAuth           server only: whether clients must present a certificate; {@code NONE} leaves the
 *                             engine as the context made it (which does not ask, for a context of the JDK's)
 */
public record TlsOptions(boolean clientMode, SSLContext context, List<String> applicationProtocols, List<String> protocols,
                         boolean verifyHostname, ClientAuth clientAuth) {

    /** Whether a server asks clients for a certificate. */
    public enum ClientAuth {
        /** Clients are not asked for a certificate. */
        NONE,
        /** Clients are asked, and may decline. */
        WANT,
        /** Clients must present a certificate the server trusts, or the handshake fails. */
        NEED
    }

    public TlsOptions {
        Objects.requireNonNull(context, "context");
        applicationProtocols = List.copyOf(applicationProtocols);
        protocols = List.copyOf(protocols);
        Objects.requireNonNull(clientAuth, "clientAuth");
    }

    /** A client that trusts the JDK's default certificate authorities and verifies host names. */
    public static TlsOptions client() {
        try {
            return client(SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no default TLS context", e);
        }
    }

    /** A client using {@code context}, verifying host names. */
    public static TlsOptions client(SSLContext context) {
        return new TlsOptions(true, context, List.of(), List.of(), true, ClientAuth.NONE);
    }

    /** A client that trusts exactly the certificates in {@code trusted} (and verifies host names). */
    public static TlsOptions clientTrusting(KeyStore trusted) {
        return client(context(null, null, trusted));
    }

    /** A server using {@code context}, which must hold its key and certificate. */
    public static TlsOptions server(SSLContext context) {
        return new TlsOptions(false, context, List.of(), List.of(), false, ClientAuth.NONE);
    }

    /** A server whose key and certificate chain are in {@code keys}, protected by {@code password}. */
    public static TlsOptions server(KeyStore keys, char[] password) {
        return server(context(keys, password, null));
    }

    /**
     * An {@link SSLContext} with the key (and certificate chain) in {@code keys} and trusting the certificates in
     * {@code trusted}; either may be null (no key of one's own; the JDK's default trusted authorities).
     */
    public static SSLContext context(KeyStore keys, char[] password, KeyStore trusted) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            KeyManagerFactory keyManagers = null;
            if (keys != null) {
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keys, password);
            }
            TrustManagerFactory trustManagers = null;
            if (trusted != null) {
                trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trustManagers.init(trusted);
            }
            context.init(keyManagers == null ? null : keyManagers.getKeyManagers(),
                    trustManagers == null ? null : trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot make a TLS context from the key store given: " + e.getMessage(), e);
        }
    }

    /** These options offering (client) or accepting (server) {@code protocols} by ALPN, in order of preference. */
    public TlsOptions withApplicationProtocols(String... protocolNames) {
        return new TlsOptions(clientMode, context, List.of(protocolNames), protocols, verifyHostname, clientAuth);
    }

    /** These options enabling only the TLS versions given, e.g. {@code "TLSv1.3"}. */
    public TlsOptions withProtocols(String... versions) {
        return new TlsOptions(clientMode, context, applicationProtocols, List.of(versions), verifyHostname, clientAuth);
    }

    /** These options with host name verification on or off (client only). */
    public TlsOptions withHostnameVerification(boolean verify) {
        if (!clientMode) {
            throw new IllegalStateException("host name verification is for clients; these options are a server's");
        }
        return new TlsOptions(clientMode, context, applicationProtocols, protocols, verify, clientAuth);
    }

    /** These options asking clients for certificates (server only). */
    public TlsOptions withClientAuth(ClientAuth auth) {
        if (clientMode) {
            throw new IllegalStateException("client authentication is set on servers; these options are a client's");
        }
        return new TlsOptions(clientMode, context, applicationProtocols, protocols, verifyHostname, auth);
    }

    /**
     * A new engine set up by these options: for a client, {@code serverName} (null for none) is the name verified
     * and sent as SNI (unless it is an IP address literal) and {@code port} the peer's, for session resumption; for a
     * server, {@code serverName} is the client's address as an IP literal (or null), given to the context only.
     */
    SSLEngine newEngine(String serverName, int port) {
        SSLEngine engine = serverName != null ? context.createSSLEngine(serverName, port) : context.createSSLEngine();
        engine.setUseClientMode(clientMode);
        SSLParameters parameters = engine.getSSLParameters();
        if (!protocols.isEmpty()) {
            parameters.setProtocols(protocols.toArray(String[]::new));
        }
        if (!applicationProtocols.isEmpty()) {
            parameters.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
        }
        if (clientMode) {
            if (verifyHostname) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (serverName != null && !isIpLiteral(serverName)) {
                parameters.setServerNames(List.of(new SNIHostName(serverName)));
            }
        } else {
            switch (clientAuth) {
                case NEED -> parameters.setNeedClientAuth(true);
                case WANT -> parameters.setWantClientAuth(true);
                case NONE -> { } // as the context made the engine: not asked, unless the context's engines ask
            }
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }
}
