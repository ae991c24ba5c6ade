package io.vhdstream.nbd.admin;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The client side of {@link AdminEndpoint}: asks a running server for a snapshot (the library of {@code nbd snapshot}). */
public final class SnapshotRequest {
    private SnapshotRequest() {
    }

    /** The server's answer: HTTP status and text. */
    public record Answer(int status, String text) {
        public boolean ok() {
            return status == 200;
        }
    }

    public static Answer send(InetSocketAddress admin, String disk, String id, String label) throws IOException {
        String q = "disk=" + enc(disk) + "&id=" + enc(id) + (label == null ? "" : "&label=" + enc(label));
        URI uri = URI.create("http://" + admin.getHostString() + ":" + admin.getPort() + "/snapshot?" + q);
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setRequestMethod("POST");
        c.setConnectTimeout(10_000);
        c.setReadTimeout(300_000);   // the answer waits for Kafka's acknowledgement
        try {
            int status = c.getResponseCode();
            InputStream body = status < 400 ? c.getInputStream() : c.getErrorStream();
            String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8).trim();
            return new Answer(status, text);
        } finally {
            c.disconnect();
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
