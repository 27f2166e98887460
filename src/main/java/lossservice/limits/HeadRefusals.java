package lossservice.limits;

import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * Whether Spring MVC would refuse a request from its head alone (405, 406, 415), asked before its body is read: the
 * handler mappings the dispatcher will ask, in its order, each given a view of the request whose attributes are its
 * own, so that the lookup leaves nothing behind for the dispatcher. (Spring's {@code HandlerMappingIntrospector} did
 * this; it is deprecated and gone from Spring Framework 7.1.)
 */
final class HeadRefusals {

    private final ObjectProvider<HandlerMapping> handlerMappings;
    /** Looked up once, at the first request: the mappings are complete only once the context is. */
    private volatile List<HandlerMapping> mappings;

    HeadRefusals(ObjectProvider<HandlerMapping> handlerMappings) {
        this.handlerMappings = handlerMappings;
    }

    boolean refused(HttpServletRequest request) {
        List<HandlerMapping> ordered = mappings;
        if (ordered == null) {
            ordered = handlerMappings.orderedStream().toList();
            mappings = ordered;
        }
        HttpServletRequest probe = new OwnAttributes(request);
        ServletRequestPathUtils.parseAndCache(probe);
        for (HandlerMapping mapping : ordered) {
            try {
                if (mapping.getHandler(probe) != null) {
                    return false;
                }
            } catch (HttpRequestMethodNotSupportedException | HttpMediaTypeNotSupportedException
                    | HttpMediaTypeNotAcceptableException e) {
                return true;
            } catch (Exception e) {
                return false; // the dispatcher will meet it again and answer it
            }
        }
        return false;
    }

    /** The request with attributes of its own: reads fall through to the request's until written or removed here. */
    private static final class OwnAttributes extends HttpServletRequestWrapper {

        private final Map<String, Object> attributes = new HashMap<>();
        private final Set<String> removed = new HashSet<>();

        OwnAttributes(HttpServletRequest request) {
            super(request);
        }

        @Override
        public Object getAttribute(String name) {
            Object value = attributes.get(name);
            return value != null || removed.contains(name) ? value : super.getAttribute(name);
        }

        @Override
        public Enumeration<String> getAttributeNames() {
            Set<String> names = new HashSet<>(Collections.list(super.getAttributeNames()));
            names.removeAll(removed);
            names.addAll(attributes.keySet());
            return Collections.enumeration(names);
        }

        @Override
        public void setAttribute(String name, Object value) {
            if (value == null) {
                removeAttribute(name);
                return;
            }
            attributes.put(name, value);
            removed.remove(name);
        }

        @Override
        public void removeAttribute(String name) {
            attributes.remove(name);
            removed.add(name);
        }
    }
}
