package lossservice.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import lossservice.RawHttp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connection floods: idle connections are closed after the read timeout (a new connection that sends nothing) or
 * the keep-alive timeout (one that sent a request), 2 s each here, so idle clients cannot hold the 400 connections
 * the service accepts for long; a flood beyond them is recovered from within a bounded time.
 */
class ConnectionsHttpTests extends HostileClientsApplicationTests {

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void aFloodOfIdleConnectionsBeyondTheLimitIsRecoveredFrom() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            warmUpAccepting();
            for (int i = 0; i < 500; i++) { // the 400 connections, then the accept queue
                Socket socket = new Socket();
                try {
                    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 3_000);
                    idle.add(socket);
                } catch (IOException e) {
                    socket.close(); // the queue is full: the flood is as large as it gets
                    break;
                }
            }
            assertThat(idle.size()).as("connections opened").isGreaterThan(400);

            long started = System.nanoTime();
            try (RawHttp http = new RawHttp(port)) {
                RawHttp.Response health = http.send("GET /actuator/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .read();
                assertThat(health.status()).isEqualTo(200);
            }
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            // The idle connections are closed after 2 s; until then, health waits in the accept queue.
            assertThat(tookMillis).as("health answered once the idle connections were closed").isLessThan(10_000);

            int closed = 0;
            for (Socket socket : idle) {
                socket.setSoTimeout(5_000);
                try {
                    if (socket.getInputStream().read() < 0) {
                        closed++;
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // still open
                } catch (IOException e) {
                    closed++;
                }
            }
            assertThat(closed).as("idle connections closed by the service").isEqualTo(idle.size());
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void healthAnswersAtOnceDuringAFloodBelowTheLimit() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                idle.add(new Socket("127.0.0.1", port));
            }
            Thread.sleep(500); // the acceptor has caught up with the burst (the idle connections stay open 2 s)
            long started = System.nanoTime();
            try (RawHttp http = new RawHttp(port)) {
                RawHttp.Response health = http.send("GET /actuator/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .read();
                assertThat(health.status()).isEqualTo(200);
            }
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(1_000);
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    /**
     * Opens and closes connections until Tomcat accepts them at full speed: a cold acceptor can fall behind a burst
     * of connections, and a connection the kernel's queue drops is retried by the client only a second later.
     */
    private void warmUpAccepting() throws IOException {
        for (int i = 0; i < 1_000; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 3_000);
            }
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void anIdleKeepAliveConnectionIsClosedAfterTheKeepAliveTimeout() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /actuator/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawHttp.Response response = http.read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Connection")).isNull(); // kept alive

            long started = System.nanoTime();
            assertThat(http.closedByServer(6_000)).as("closed by the service").isTrue();
            assertThat((System.nanoTime() - started) / 1_000_000).as("after the 2 s keep-alive timeout")
                    .isBetween(1_000L, 5_000L);
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aNewConnectionThatSendsNothingIsClosedAfterTheReadTimeout() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            long started = System.nanoTime();
            assertThat(http.closedByServer(6_000)).isTrue();
            assertThat((System.nanoTime() - started) / 1_000_000).isBetween(1_000L, 5_000L);
        }
    }
}
