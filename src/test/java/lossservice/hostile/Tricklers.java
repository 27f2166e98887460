package lossservice.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Many hostile connections driven from one thread: each sends a head, then one byte of its body every
 * {@code intervalMillis}, and records what the server answers (or that it closed the connection).
 */
final class Tricklers implements AutoCloseable {

    /** How one connection ended, as far as the client can tell. */
    record Outcome(int status, String answer, boolean closed) {
    }

    private final List<Socket> sockets = new ArrayList<>();
    private final List<ByteArrayOutputStream> answers = new ArrayList<>();
    private final boolean[] closed;
    private final Thread driver;
    private volatile boolean stopped;

    Tricklers(int port, int count, String head, long intervalMillis) throws IOException {
        closed = new boolean[count];
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(1);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            sockets.add(socket);
            answers.add(new ByteArrayOutputStream());
        }
        driver = new Thread(() -> {
            while (!stopped) {
                for (int i = 0; i < sockets.size(); i++) {
                    step(i);
                }
                try {
                    Thread.sleep(intervalMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "tricklers");
        driver.setDaemon(true);
        driver.start();
    }

    private synchronized void step(int i) {
        if (closed[i]) {
            return;
        }
        Socket socket = sockets.get(i);
        try {
            InputStream in = socket.getInputStream();
            while (in.available() > 0) {
                int n = in.read();
                if (n < 0) {
                    closed[i] = true;
                    return;
                }
                answers.get(i).write(n);
            }
            socket.getOutputStream().write(' ');
            socket.getOutputStream().flush();
        } catch (IOException e) {
            closed[i] = true;
            drain(i);
        }
    }

    private void drain(int i) {
        try {
            InputStream in = sockets.get(i).getInputStream();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) > 0) {
                answers.get(i).write(buffer, 0, n);
            }
        } catch (IOException e) {
            // reset or timed out: what was read is all there is
        }
    }

    /** Stops sending, reads what is left to read, and tells how each connection ended. */
    synchronized List<Outcome> outcomes() throws InterruptedException {
        stopped = true;
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < sockets.size(); i++) {
            if (!closed[i]) {
                drain(i);
                try {
                    sockets.get(i).setSoTimeout(200);
                    closed[i] = sockets.get(i).getInputStream().read() < 0;
                } catch (IOException e) {
                    closed[i] = !(e instanceof java.net.SocketTimeoutException);
                }
            }
            String answer = answers.get(i).toString(StandardCharsets.ISO_8859_1);
            int status = answer.startsWith("HTTP/1.1 ") ? Integer.parseInt(answer.substring(9, 12)) : 0;
            outcomes.add(new Outcome(status, answer, closed[i]));
        }
        return outcomes;
    }

    /** Connections still open and not answered. */
    synchronized long pending() {
        long pending = 0;
        for (int i = 0; i < sockets.size(); i++) {
            if (!closed[i] && answers.get(i).size() == 0) {
                pending++;
            }
        }
        return pending;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        driver.join(5_000);
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
