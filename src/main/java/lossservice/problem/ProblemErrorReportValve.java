package lossservice.problem;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;

/**
 * Tomcat's error report for what never reaches the application (a malformed request line or URI, an HTTP version
 * or transfer coding Tomcat does not implement, an error before dispatch), written as problem+json instead of
 * Tomcat's HTML page, with the request's path as {@code instance} when it has one; and the problem of any error
 * answer that would otherwise have no body.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    public ProblemErrorReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0) {
            return;
        }
        // An error sent with sendError is reported once; one that was only given a status and no body (Actuator's
        // 404 for an unknown health component) gets its problem too, while the response is still open.
        if (response.isError() ? !response.setErrorReported() : response.isCommitted()) {
            return;
        }
        ProblemType type = ProblemType.forStatus(status);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ProblemJsonWriter.write(ProblemDetails.of(type, HttpStatusCode.valueOf(status), detail(request, status),
                instance(request)), body);
        try {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body.toString(StandardCharsets.UTF_8));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // The client is gone or the response is unusable: there is nobody left to tell.
        }
    }

    /** What happened, in the words of the request's own head where Tomcat refused it for a reason it implies. */
    static String detail(Request request, int status) {
        switch (status) {
            case 501 -> {
                String transferEncoding = header(request, HttpHeaders.TRANSFER_ENCODING);
                if (transferEncoding != null) {
                    return "The Transfer-Encoding \"" + printable(transferEncoding) + "\" is not implemented; send the"
                            + " body with a Content-Length or chunked.";
                }
                String method = request.getMethod();
                return method != null && !method.isEmpty() ? "The method " + printable(method) + " is not implemented."
                        : "The request asks for something this service does not implement.";
            }
            case 505 -> {
                String protocol = request.getProtocol();
                return (protocol != null && !protocol.isEmpty() ? printable(protocol) : "This HTTP version")
                        + " is not supported; use HTTP/1.1.";
            }
            case 417 -> {
                String expect = header(request, HttpHeaders.EXPECT);
                return "The expectation" + (expect != null ? " \"" + printable(expect) + "\"" : "")
                        + " cannot be met; only 100-continue is supported.";
            }
            case 400 -> {
                return "The request is not well-formed HTTP/1.1.";
            }
            case 404 -> {
                return ProblemDetails.notFoundDetail(instance(request));
            }
            default -> {
                return status >= 500 ? "The service failed to handle the request." : "The request was rejected.";
            }
        }
    }

    /** The request's path, when Tomcat got as far as reading one that is a valid URI reference. */
    static String instance(Request request) {
        try {
            String uri = request.getRequestURI();
            if (uri == null || uri.isEmpty() || !uri.startsWith("/")) {
                return null;
            }
            URI.create(uri);
            return uri;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String header(Request request, String name) {
        try {
            return request.getHeader(name);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** At most 64 printable ASCII characters of something the client sent. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 64; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
