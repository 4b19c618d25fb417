package org.concurrence.http.jdk;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import java.net.InetSocketAddress;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The TLS of an {@link AdaptedHttpsServer}, as the JDK's server does it: each connection's engine comes from the
 * {@link HttpsConfigurator}'s context current at its handshake (a configurator may be set after the server is bound,
 * and replaced), and is given what the configurator's {@code configure(HttpsParameters)} chooses: its
 * {@link SSLParameters} if it set them, else the protocols, cipher suites and client authentication it set one by one.
 * The parameters' client address is not known at that point and is null.
 *
 * <p>Thread-safety: stateless beyond the server's configurator, which is read once per engine.
 */
final class ConfiguratorContext extends SSLContextSpi {
    private final Supplier<HttpsConfigurator> configurator;

    private ConfiguratorContext(Supplier<HttpsConfigurator> configurator) {
        this.configurator = configurator;
    }

    /** An {@link SSLContext} whose engines follow {@code configurator}'s current value. */
    static SSLContext of(Supplier<HttpsConfigurator> configurator) {
        return new SSLContext(new ConfiguratorContext(configurator), null, "TLS") { };
    }

    private HttpsConfigurator configurator() {
        HttpsConfigurator c = configurator.get();
        if (c == null) {
            throw new IllegalStateException("HttpsServer has no HttpsConfigurator: call setHttpsConfigurator before"
                    + " clients connect");
        }
        return c;
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
        HttpsConfigurator c = configurator();
        return configured(c, c.getSSLContext().createSSLEngine(), null);
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
        HttpsConfigurator c = configurator();
        // The server passes the client's address as an IP literal, so this makes no name lookup.
        return configured(c, c.getSSLContext().createSSLEngine(host, port),
                host == null || port < 0 ? null : new InetSocketAddress(host, port));
    }

    private static SSLEngine configured(HttpsConfigurator c, SSLEngine engine, InetSocketAddress client) {
        engine.setUseClientMode(false);
        Parameters parameters = new Parameters(c, client);
        c.configure(parameters);
        if (parameters.chosen != null) {
            engine.setSSLParameters(parameters.chosen);
            return engine;
        }
        if (parameters.getCipherSuites() != null) {
            engine.setEnabledCipherSuites(parameters.getCipherSuites());
        }
        if (parameters.getProtocols() != null) {
            engine.setEnabledProtocols(parameters.getProtocols());
        }
        if (parameters.getNeedClientAuth()) {
            engine.setNeedClientAuth(true);
        } else if (parameters.getWantClientAuth()) {
            engine.setWantClientAuth(true);
        }
        return engine;
    }

    /** What {@code configure} is given and may set. */
    private static final class Parameters extends HttpsParameters {
        private final HttpsConfigurator configurator;
        private final InetSocketAddress client;
        SSLParameters chosen;

        Parameters(HttpsConfigurator configurator, InetSocketAddress client) {
            this.configurator = configurator;
            this.client = client;
        }

        @Override
        public HttpsConfigurator getHttpsConfigurator() {
            return configurator;
        }

        @Override
        public InetSocketAddress getClientAddress() {
            return client;
        }

        @Override
        public void setSSLParameters(SSLParameters parameters) {
            this.chosen = parameters;
        }
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
        throw new KeyManagementException("this context takes its keys from the HttpsConfigurator's context");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
        return configurator().getSSLContext().getSocketFactory();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
        return configurator().getSSLContext().getServerSocketFactory();
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
        return configurator().getSSLContext().getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
        return configurator().getSSLContext().getClientSessionContext();
    }
}
