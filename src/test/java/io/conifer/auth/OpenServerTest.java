package io.conifer.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.Http;
import io.conifer.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with no API keys (what a plain {@code conifer serve} starts) must not be drivable by another
 * web site the user visits: every call still needs the {@code Api-Key} header, which a cross-site page
 * cannot send without a CORS preflight the server does not grant (CSRF), and only requests addressed to a
 * local host name are answered, so a site re-pointing its own name at 127.0.0.1 (DNS rebinding) is refused.
 */
class OpenServerTest {
    @TempDir
    Path dir;

    @Test
    void everyCallNeedsTheApiKeyHeaderAndALocalHostName() throws Exception {
        try (TestServer server = TestServer.start(dir, null)) {
            Http anyKey = new Http(server.url(), "anything");
            String host = anyKey.createDense("open", 2, "cosine");
            int dataPort = URI.create(host).getPort();
            String upsert = "{\"vectors\":[{\"id\":\"a\",\"values\":[1,0]}]}";

            // A cross-site form or text/plain POST carries no Api-Key header: refused on both planes.
            Http.Response noKey = raw(server.port(), "POST", "/indexes", "localhost:" + server.port(), null,
                    "{\"name\":\"csrf\",\"dimension\":2,\"metric\":\"cosine\",\"spec\":{\"serverless\":{\"cloud\":\"aws\",\"region\":\"us-east-1\"}}}");
            assertEquals(401, noKey.status(), noKey.toString());
            assertTrue(noKey.body().contains("Api-Key"), noKey.toString());
            Http.Response noKeyData = raw(dataPort, "POST", "/vectors/upsert", "localhost:" + dataPort, null, upsert);
            assertEquals(401, noKeyData.status(), noKeyData.toString());
            assertEquals(404, anyKey.get("/indexes/csrf").status(), "a call without a key changed the server");
            assertEquals(0, stats(anyKey.forHost(host)), "a call without a key wrote a vector");

            // A request addressed to another name (a rebound DNS name) is refused even with a key.
            Http.Response rebound = raw(server.port(), "GET", "/indexes", "evil.example:" + server.port(), "anything", null);
            assertEquals(403, rebound.status(), rebound.toString());
            assertTrue(rebound.body().contains("evil.example"), rebound.toString());
            Http.Response reboundData = raw(dataPort, "POST", "/vectors/upsert", "evil.example:" + dataPort, "anything", upsert);
            assertEquals(403, reboundData.status(), reboundData.toString());
            assertEquals(0, stats(anyKey.forHost(host)), "a request to a foreign host name wrote a vector");

            // Local names and loopback addresses with any key work.
            for (String name : new String[] {"localhost", "127.0.0.1", "[::1]"}) {
                Http.Response ok = raw(server.port(), "GET", "/indexes", name + ":" + server.port(), "anything", null);
                assertEquals(200, ok.status(), name + ": " + ok);
            }
            Http.Response written = raw(dataPort, "POST", "/vectors/upsert", "127.0.0.1:" + dataPort, "k", upsert);
            assertEquals(200, written.status(), written.toString());
            assertEquals(1, stats(anyKey.forHost(host)));
        }
    }

    @Test
    void withKeysConfiguredAnyHostNameIsServed() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Http.Response r = raw(server.port(), "GET", "/indexes", "vectors.example.com", TestServer.KEY, null);
            assertEquals(200, r.status(), r.toString());
        }
    }

    @Test
    void localHostNames() {
        ApiKeys open = ApiKeys.parse(null).withLocalHost("myhost");
        for (String ok : new String[] {"localhost", "localhost:5080", "LOCALHOST:1", "127.0.0.1:5080", "127.1.2.3",
                "[::1]:5081", "myhost:5081", "app.localhost:80"}) {
            assertTrue(open.admitsHost(ok), ok);
        }
        for (String no : new String[] {"evil.example", "evil.example:5080", "127.0.0.1.evil.example", "128.0.0.1",
                "10.0.0.1:5080", "[::2]:5080", "", "localhost.evil.example"}) {
            assertFalse(open.admitsHost(no), no);
        }
        assertFalse(open.admitsHost(null));
        assertTrue(ApiKeys.parse("k").admitsHost("anything.example"));
        assertNull(open.projectOf(null));
        assertNull(open.projectOf(""));
        assertEquals(ApiKeys.DEFAULT_PROJECT, open.projectOf("any"));
    }

    private static int stats(Http index) {
        return index.post("/describe_index_stats", "{}").json().get("totalVectorCount").asInt();
    }

    /** One HTTP/1.1 request with exactly the given Host header (java.net.http will not send a foreign one). */
    private static Http.Response raw(int port, String method, String path, String hostHeader, String apiKey, String body)
            throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n");
            if (apiKey != null) req.append("Api-Key: ").append(apiKey).append("\r\n");
            if (body != null) req.append("Content-Type: text/plain\r\nContent-Length: ").append(bytes.length).append("\r\n");
            req.append("Connection: close\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            int split = response.indexOf("\r\n\r\n");
            return new Http.Response(status, split < 0 ? "" : response.substring(split + 4));
        }
    }
}
