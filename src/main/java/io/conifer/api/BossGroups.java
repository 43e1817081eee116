package io.conifer.api;

import com.linecorp.armeria.common.Flags;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.kqueue.KQueueIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Accept-loop groups for Armeria servers that stop without Netty's default 2 s quiet period. Armeria
 * stops a server's boss group with {@code shutdownGracefully()}, whose quiet period waits for tasks
 * that an accept loop never gets, so every server stop (shutdown, restart, deleting an index) would
 * pause 2 s per server. The groups use Armeria's transport, as the worker groups do.
 */
public final class BossGroups {
    private BossGroups() {}

    /** For {@code ServerBuilder.bossGroupFactory}. */
    public static Function<String, EventLoopGroup> withoutQuietPeriod() {
        return QuickStop::new;
    }

    private static final class QuickStop extends MultiThreadIoEventLoopGroup {
        QuickStop(String threadName) {
            super(1, (ThreadFactory) runnable -> new FastThreadLocalThread(runnable, threadName), transport());
        }

        @Override
        public Future<?> shutdownGracefully() {
            return shutdownGracefully(0, 15, TimeUnit.SECONDS);
        }
    }

    private static IoHandlerFactory transport() {
        return switch (Flags.transportType()) {
            case EPOLL -> EpollIoHandler.newFactory();
            case KQUEUE -> KQueueIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
    }
}
