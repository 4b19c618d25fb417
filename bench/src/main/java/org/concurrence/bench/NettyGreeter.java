package org.concurrence.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Netty's greeter as a server child of {@code bench greeter}: one event loop (native epoll when it loads, else NIO)
 * that both accepts and serves, TCP_NODELAY, Netty's default allocator and backlog.
 *
 * <p>Two pipelines: {@code --raw} (the default, the like-for-like with our greeter) is a hand-written
 * {@link ByteToMessageDecoder} that answers every {@code \r\n\r\n}-terminated head with the same bytes as ours and the
 * same keep-alive rule, flushing once per read batch; {@code --codec} is Netty's {@link HttpServerCodec} with a handler
 * that answers every request with a {@link FullHttpResponse} (what a Netty HTTP server usually looks like).
 *
 * <p>{@code NettyGreeter [--port=N] [--raw|--codec] [--nio] [--threads=N]}
 */
public final class NettyGreeter {
    private NettyGreeter() {}

    public static void main(String[] args) throws Exception {
        boolean codec = ServerMain.flag(args, "codec");
        Bound bound = bind(args, codec ? "HttpServerCodec" : "raw", ch -> {
            if (codec) {
                ch.pipeline().addLast(new HttpServerCodec(), new CodecHandler());
            } else {
                ch.pipeline().addLast(new RawHandler());
            }
        });
        ServerMain.readyAndServeCommands(bound.port());
    }

    /** A listening Netty server: its event loops and port. */
    record Bound(EventLoopGroup loops, int port) {}

    /**
     * Starts a Netty server on 127.0.0.1 as the greeter's and {@link NettyHttp}'s: {@code --threads=N} event loops (1
     * by default) that both accept and serve, native epoll unless {@code --nio} (or epoll does not load), TCP_NODELAY,
     * Netty's default allocator and backlog; {@code init} sets up each connection's pipeline. {@code --port=N} as for
     * every server main.
     */
    static Bound bind(String[] args, String what, java.util.function.Consumer<SocketChannel> init)
            throws InterruptedException {
        boolean epoll = !ServerMain.flag(args, "nio") && Epoll.isAvailable();
        int threads = ServerMain.intOption(args, "threads", 1);
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(threads, io);
        Channel server = new ServerBootstrap()
                .group(loops, loops)
                .channel(channel)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        init.accept(ch);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", ServerMain.port(args))).sync().channel();
        System.err.println("netty: " + (epoll ? "epoll" : "nio") + ", " + what + ", " + threads + " event loop(s)");
        return new Bound(loops, ((InetSocketAddress) server.localAddress()).getPort());
    }

    static ByteBuf constant(byte[] bytes) {
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes)).asReadOnly();
    }

    /** The like-for-like: a reply per {@code \r\n\r\n}-terminated head, flushed once per read batch. */
    static final class RawHandler extends ByteToMessageDecoder {
        private static final ByteBuf KEEP_ALIVE = constant(GreeterServers.KEEP_ALIVE);
        private static final ByteBuf CLOSE = constant(GreeterServers.CLOSE);
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            while (true) {
                int start = in.readerIndex();
                int end = headEnd(in, start, in.writerIndex());
                if (end < 0) {
                    return; // an incomplete head: the decoder keeps it and calls again with more
                }
                byte[] head = new byte[end - start];
                in.readBytes(head);
                if (GreeterServers.wantsClose(head, 0, head.length)) {
                    ctx.writeAndFlush(CLOSE.duplicate()).addListener(ChannelFutureListener.CLOSE);
                    in.skipBytes(in.readableBytes());
                    return;
                }
                ctx.write(KEEP_ALIVE.duplicate(), ctx.voidPromise());
            }
        }

        private static int headEnd(ByteBuf buf, int from, int limit) {
            for (int i = from; i + 3 < limit; i++) {
                if (buf.getByte(i + 3) == '\n' && buf.getByte(i) == '\r' && buf.getByte(i + 1) == '\n'
                        && buf.getByte(i + 2) == '\r') {
                    return i + 4;
                }
            }
            return -1;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            ctx.flush();
            super.channelReadComplete(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Netty's HTTP codec with a full response per request. */
    static final class CodecHandler extends SimpleChannelInboundHandler<HttpObject> {
        private static final ByteBuf CONTENT = constant(GreeterServers.BODY.getBytes(StandardCharsets.US_ASCII));

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (!(msg instanceof HttpRequest request)) {
                return;
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    CONTENT.duplicate());
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, 12)
                    .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
            if (keepAlive) {
                ctx.write(response, ctx.voidPromise());
            } else {
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
