package lossservice.limits;

import jakarta.servlet.ServletRequest;

/**
 * What the request limits need from the connection beyond the Servlet API: sending {@code 100 Continue} when they
 * decide to read a body. {@link TomcatConnectionValve} provides it as a request attribute; without it (a mock
 * request) it does nothing.
 */
interface ConnectionControl {

    String ATTRIBUTE = ConnectionControl.class.getName();

    ConnectionControl NONE = () -> {
    };

    /**
     * Sends {@code 100 Continue} now if the client asked for it ({@code Expect: 100-continue}) and the response is not
     * committed. With the connector's {@code continueResponseTiming=onRead}, nothing else sends it before the first
     * blocking read of the body, so a request refused from its head never gets one.
     */
    void sendContinue();

    static ConnectionControl of(ServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof ConnectionControl control ? control : NONE;
    }
}
