package io.quarkiverse.cmscache.test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.util.concurrent.CountDownLatch;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * A client of a healthy Redis that fails on demand, as seen from one cache instance: commands fail at once as if
 * Redis were unreachable, or one chosen command runs in Redis while its answer is held back until the test releases
 * it. Redis itself is never broken, so the shared server is safe to use; subscriptions ({@code connect}) are passed
 * through.
 */
public final class FlakyRedis implements InvocationHandler {

    private final Redis delegate;
    private boolean failing;
    private String holdNext;
    private Promise<Response> held;
    private AsyncResult<Response> heldResult;
    private final CountDownLatch ranInRedis = new CountDownLatch(1);

    public FlakyRedis(io.vertx.mutiny.redis.client.Redis delegate) {
        this.delegate = delegate.getDelegate();
    }

    /**
     * @return a client for {@code OtherInstance.startWith}
     */
    public io.vertx.mutiny.redis.client.Redis client() {
        return io.vertx.mutiny.redis.client.Redis.newInstance((Redis) Proxy.newProxyInstance(
                Redis.class.getClassLoader(), new Class<?>[] { Redis.class }, this));
    }

    /** Commands fail from now on. */
    public synchronized void fail() {
        failing = true;
    }

    /** Commands reach Redis again. */
    public synchronized void pass() {
        failing = false;
    }

    /**
     * The next command whose text contains {@code marker} runs in Redis, but its answer is held until
     * {@link #release()}; every command after it fails until {@link #pass()}.
     */
    public synchronized void holdNext(String marker) {
        holdNext = marker;
    }

    /** Waits until the held command has run in Redis. */
    public void awaitHeld() {
        Latches.await(ranInRedis);
    }

    /** Hands the held answer to the caller, on this thread. */
    public void release() {
        Promise<Response> promise;
        AsyncResult<Response> result;
        synchronized (this) {
            promise = held;
            result = heldResult;
            held = null;
        }
        if (promise != null) {
            promise.handle(result);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("send")) {
            // Mutiny's client calls the variant with a callback.
            Future<Response> answer = send((Request) args[0]);
            if (args.length == 2) {
                answer.onComplete((Handler<AsyncResult<Response>>) args[1]);
                return proxy;
            }
            return answer;
        }
        try {
            return method.invoke(delegate, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private synchronized Future<Response> send(Request request) {
        if (holdNext != null && request.toString().contains(holdNext)) {
            holdNext = null;
            failing = true;
            Promise<Response> promise = Promise.promise();
            held = promise;
            delegate.send(request).onComplete(result -> {
                synchronized (this) {
                    heldResult = result;
                }
                ranInRedis.countDown();
            });
            return promise.future();
        }
        if (failing) {
            return Future.failedFuture(new ConnectException("Redis unreachable (FlakyRedis)"));
        }
        return delegate.send(request);
    }
}
