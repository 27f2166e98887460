package lossservice.problem;

import org.springframework.web.util.DisconnectedClientHelper;

/**
 * A failure that only says the client went away (it closed the connection, or reset it, while its answer was being
 * written): nobody is left to answer, and it is no fault of the service, so it is logged at debug level and not
 * answered, on every HTTP transport.
 */
public final class ClientDisconnects {

    private ClientDisconnects() {
    }

    /**
     * Whether the failure, or one of its causes, is a client that disconnected: Spring's own test, which walks the
     * causes (so Jackson's write failure around Tomcat's "Broken pipe" counts).
     */
    public static boolean isClientGone(Throwable failure) {
        return DisconnectedClientHelper.isClientDisconnectedException(failure);
    }
}
