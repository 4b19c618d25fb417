package org.concurrence.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import java.util.concurrent.TimeUnit;

/**
 * Netty's HTTP server as a child of {@code bench http}, written as TechEmpower's Netty entry is: one event loop
 * (native epoll; see {@link NettyGreeter#bind}), {@link HttpServerCodec} with the entry's decoder limits (4096-byte
 * request line, 8192-byte headers) and header validation off, a handler that answers each {@link HttpRequest} with a
 * {@link FullHttpResponse} written without a flush, and a flush when the read batch is complete (so pipelined requests
 * go out in one write). Headers: Content-Type, Server, a Date cached and renewed every second on the event loop, and
 * Content-Length; {@code Connection: close} (and a close) when the request does not keep alive. {@code /json}
 * serializes a new {@link HttpServers.Message} per request with Jackson's {@code writeValueAsBytes}.
 *
 * <p>{@code --tls=jdk|openssl --keystore=FILE} serves HTTPS instead: an {@link SslHandler} first in the pipeline, with
 * the key and certificate of that PKCS12 file ({@link BenchCertificate}), TLS 1.3 only, the provider's default cipher
 * suites (for {@code jdk} the JDK's default list in its order, not Netty's), no ALPN; {@code jdk} is {@link SslProvider#JDK} (the JDK's {@code SSLEngine}, the engine our server uses),
 * {@code openssl} is {@link SslProvider#OPENSSL} (BoringSSL through {@code netty-tcnative-boringssl-static}, a
 * different TLS engine).
 *
 * <p>{@code NettyHttp [--port=N] [--nio] [--threads=N] [--tls=jdk|openssl --keystore=FILE]}
 */
public final class NettyHttp {
    private static final AsciiString SERVER = AsciiString.cached("Netty");
    private static final AsciiString TEXT_PLAIN = AsciiString.cached(HttpServers.TEXT_PLAIN);
    private static final AsciiString APPLICATION_JSON = AsciiString.cached(HttpServers.APPLICATION_JSON);
    private static final AsciiString PLAINTEXT_LENGTH = AsciiString.cached(
            Integer.toString(HttpServers.PLAINTEXT_BYTES.length));

    /** The Date header's value, renewed every second by a task on the event loop (as TechEmpower's entry does). */
    private static volatile AsciiString date = now();

    private NettyHttp() {}

    public static void main(String[] args) throws Exception {
        SslContext tls = sslContext(args);
        NettyGreeter.Bound bound = NettyGreeter.bind(args, "HttpServerCodec, TechEmpower's handler"
                + (tls == null ? "" : ", HTTPS (" + BenchCertificate.TLS_VERSION + ", SslProvider."
                + ServerMain.option(args, "tls", "").toUpperCase(Locale.ROOT) + ")"), ch -> {
                    if (tls != null) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline().addLast(new HttpServerCodec(new HttpDecoderConfig()
                            .setMaxInitialLineLength(4096).setMaxHeaderSize(8192).setMaxChunkSize(8192)
                            .setValidateHeaders(false)), new Handler());
                });
        bound.loops().next().scheduleWithFixedDelay(() -> date = now(), 1000, 1000, TimeUnit.MILLISECONDS);
        ServerMain.readyAndServeCommands(bound.port());
    }

    /** The server context of {@code --tls=jdk|openssl --keystore=FILE}, or null without {@code --tls}. */
    private static SslContext sslContext(String[] args) throws IOException, GeneralSecurityException {
        String provider = ServerMain.option(args, "tls", null);
        if (provider == null) {
            return null;
        }
        SslProvider p = switch (provider) {
            case "jdk" -> SslProvider.JDK;
            case "openssl" -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException("OpenSSL (netty-tcnative) does not load",
                            OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
            default -> throw new IllegalArgumentException("--tls=jdk or --tls=openssl");
        };
        String keystore = ServerMain.option(args, "keystore", null);
        if (keystore == null) {
            throw new IllegalArgumentException("--tls needs --keystore=FILE");
        }
        KeyStore keys = BenchCertificate.load(Path.of(keystore));
        SslContextBuilder builder = SslContextBuilder.forServer(BenchCertificate.privateKey(keys),
                BenchCertificate.chain(keys)).sslProvider(p).protocols(BenchCertificate.TLS_VERSION);
        if (p == SslProvider.JDK) {
            // The JDK's default suites in the JDK's order (Netty's own default list puts AES-128-GCM first, and the
            // server's order decides): the same as our server's engine, which takes the JDK's defaults.
            builder.ciphers(List.of(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites()),
                    IdentityCipherSuiteFilter.INSTANCE);
        }
        return builder.build();
    }

    private static AsciiString now() {
        return new AsciiString(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
    }

    /** Answers {@code /plaintext} and {@code /json}; 404 and a close for anything else. */
    static final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest request) {
                    handle(ctx, request);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private static void handle(ChannelHandlerContext ctx, HttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            switch (request.uri()) {
                case HttpServers.PLAINTEXT -> write(ctx, Unpooled.wrappedBuffer(HttpServers.PLAINTEXT_BYTES),
                        TEXT_PLAIN, PLAINTEXT_LENGTH, keepAlive);
                case HttpServers.JSON -> {
                    byte[] json = HttpServers.JACKSON.writeValueAsBytes(new HttpServers.Message(HttpServers.MESSAGE));
                    write(ctx, Unpooled.wrappedBuffer(json), APPLICATION_JSON, Integer.toString(json.length),
                            keepAlive);
                }
                default -> {
                    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                            HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER, false);
                    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                }
            }
        }

        private static void write(ChannelHandlerContext ctx, ByteBuf body, CharSequence contentType,
                                  CharSequence contentLength, boolean keepAlive) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body,
                    false);
            HttpHeaders headers = response.headers();
            headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
            headers.set(HttpHeaderNames.SERVER, SERVER);
            headers.set(HttpHeaderNames.DATE, date);
            headers.set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
            if (keepAlive) {
                ctx.write(response, ctx.voidPromise());
            } else {
                headers.set(HttpHeaderNames.CONNECTION, "close");
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
