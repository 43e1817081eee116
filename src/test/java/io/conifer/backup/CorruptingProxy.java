package io.conifer.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay in front of an HTTP server that flips one bit of what a client sends, once: the byte
 * at offset {@link #corruptAt} of the first connection to carry that many bytes. It damages a request
 * body in flight, after the client computed its checksums and before the server sees it.
 */
final class CorruptingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final URI target;
    /** Offset (in one connection's client bytes) of the byte to flip; negative once it was flipped or when disarmed. */
    final AtomicLong corruptAt = new AtomicLong(-1);

    CorruptingProxy(URI target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "corrupting-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getHost(), target.getPort());
                relay(client, server, true);
                relay(server, client, false);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void relay(Socket from, Socket to, boolean fromClient) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 << 10];
            long offset = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) > 0; offset += n) {
                    long at = corruptAt.get();
                    if (fromClient && at >= offset && at < offset + n && corruptAt.compareAndSet(at, -1)) {
                        buf[(int) (at - offset)] ^= 1;
                    }
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // the other side closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        }, "corrupting-proxy-relay");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
