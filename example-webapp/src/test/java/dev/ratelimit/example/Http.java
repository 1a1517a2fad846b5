package dev.ratelimit.example;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/** A small HTTP client for the end-to-end tests. */
final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    /** GET with optional headers given as name, value, name, value…. */
    static HttpResponse<String> get(URI uri, String... headers) {
        return request("GET", uri, headers);
    }

    /** A request of {@code method} without a body (GET, OPTIONS, …), with headers as name, value, name, value…. */
    static HttpResponse<String> request(String method, URI uri, String... headers) {
        return send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()), headers);
    }

    /** A POST of an HTML form ({@code application/x-www-form-urlencoded}), with headers as name, value, …. */
    static HttpResponse<String> postForm(URI uri, Map<String, String> form, String... headers) {
        StringBuilder body = new StringBuilder();
        form.forEach((name, value) -> body.append(body.length() == 0 ? "" : "&")
                .append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())), headers);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request, String... headers) {
        request.timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of an {@code Authorization} header for HTTP Basic. */
    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
