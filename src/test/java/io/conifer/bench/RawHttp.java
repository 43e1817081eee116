package io.conifer.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal keep-alive HTTP/1.1 client over one socket, for measuring a server rather than a client:
 * requests are pre-serialised (request line, headers and body in one byte array), so sending one
 * is a single write, and reading the answer is a parse of the status line, headers and a
 * Content-Length or chunked body. Not thread-safe: one per client thread.
 */
final class RawHttp implements Closeable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final StringBuilder line = new StringBuilder();

    RawHttp(String host, int port) throws IOException {
        socket = new Socket(host, port);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    }

    /** The bytes of a complete POST request with a JSON body. */
    static byte[] post(String host, String path, String apiKey, byte[] body) {
        return post(host, path, apiKey, body, "");
    }

    /** {@code extraHeaders}: more header lines, each ending in CRLF (e.g. the API version). */
    static byte[] post(String host, String path, String apiKey, byte[] body, String extraHeaders) {
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extraHeaders + "Api-Key: " + apiKey
                + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** Sends a pre-serialised request and returns the response body; throws unless the status is 2xx. */
    byte[] exchange(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        String status = readLine();
        int code = status.length() >= 12 ? Integer.parseInt(status.substring(9, 12)) : -1;
        long length = -1;
        boolean chunked = false;
        for (String h = readLine(); !h.isEmpty(); h = readLine()) {
            int colon = h.indexOf(':');
            if (colon < 0) continue;
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) length = Long.parseLong(value);
            else if (name.equalsIgnoreCase("transfer-encoding") && value.equalsIgnoreCase("chunked")) chunked = true;
        }
        byte[] body;
        if (chunked) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine();
                int semi = sizeLine.indexOf(';');
                int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                b.write(in.readNBytes(size));
                readLine();
            }
            body = b.toByteArray();
        } else if (length >= 0) {
            body = in.readNBytes((int) length);
            if (body.length != length) throw new IOException("Connection closed mid-body");
        } else {
            throw new IOException("Response without Content-Length or chunked encoding: " + status);
        }
        if (code / 100 != 2) {
            throw new IOException("HTTP " + status + ": " + new String(body, 0, Math.min(body.length, 500), StandardCharsets.UTF_8));
        }
        return body;
    }

    private String readLine() throws IOException {
        line.setLength(0);
        while (true) {
            int c = in.read();
            if (c < 0) throw new IOException("Connection closed by the server");
            if (c == '\n') break;
            if (c != '\r') line.append((char) c);
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
