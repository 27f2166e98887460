package lossservice.inference.grpc;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;

/**
 * The health service's {@code Watch} calls in progress. A watch never ends by itself, so a server that drains its
 * calls on shutdown waited for every watcher until the shutdown timeout (30 s) and was then cut off: one idle health
 * client delayed every stop. On stop the watchers are told NOT_SERVING, then closed.
 */
final class OpenWatches implements ServerInterceptor {

    private final Set<ServerCall<?, ?>> open = ConcurrentHashMap.newKeySet();

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        if (!call.getMethodDescriptor().getFullMethodName().equals(HealthGrpc.getWatchMethod().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        open.add(call);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            @Override
            public void onComplete() {
                open.remove(call);
                super.onComplete();
            }

            @Override
            public void onCancel() {
                open.remove(call);
                super.onCancel();
            }
        };
    }

    /** Ends every open watch; called once the health service is in its terminal state (it sends nothing more). */
    void closeAll() {
        for (ServerCall<?, ?> call : open) {
            if (open.remove(call)) {
                call.close(Status.UNAVAILABLE.withDescription("The server is shutting down."), new Metadata());
            }
        }
    }
}
