package lossservice.limits;

import java.io.IOException;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.apache.coyote.ContinueResponseTiming;

import jakarta.servlet.ServletException;

/**
 * Gives the request limits control of the connection ({@link ConnectionControl}, as a request attribute), and never
 * lets Tomcat swallow a body: when a request has been answered without its body having been read to its end (a GET
 * with a body, a request refused from its head, a POST whose body was refused part way), the connection is closed
 * after the answer rather than the rest read and discarded. Tomcat would do that reading on the request's worker
 * thread, for as long as a trickling client makes it last ({@code server.tomcat.max-swallow-size} bounds the bytes,
 * not the time).
 *
 * <p>An engine valve, so that it runs around the host's error handling: telling Tomcat not to swallow marks the
 * exchange as failed, which inside the host would send a complete answer to the error page. An asynchronous request
 * (a body being read without blocking) is not touched: it ends with {@code Connection: close}, and Tomcat closes such
 * a connection without reading further.
 */
final class TomcatConnectionValve extends ValveBase {

    TomcatConnectionValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        org.apache.coyote.Request coyote = request.getCoyoteRequest();
        request.setAttribute(ConnectionControl.ATTRIBUTE,
                (ConnectionControl) () -> coyote.action(ActionCode.ACK, ContinueResponseTiming.ALWAYS));
        try {
            getNext().invoke(request, response);
        } finally {
            if (!request.isAsync() && !coyote.isFinished()) {
                coyote.action(ActionCode.DISABLE_SWALLOW_INPUT, null);
            }
        }
    }
}
