# syntax=docker/dockerfile:1
# loss-service image: the service built with Maven, run as a layered Spring Boot application on a glibc
# JRE (ND4J's native libraries need glibc: no Alpine/musl base).
#
#   docker build -t loss-service:0.1.0 .                                              # CPU
#   docker build -t loss-service:0.1.0-cuda --build-arg BACKEND=cuda .                # CUDA 11.6 + cuDNN 8
#   docker run --rm -p 8080:8080 --memory 1g loss-service:0.1.0
#
# Every base image is a build argument, so that a mirror or a local copy can stand in for it.

# cpu (default) or cuda: the Maven profile built, the runtime base and loss.backend.
ARG BACKEND=cpu
ARG BUILD_IMAGE=docker.io/library/maven:3.9-eclipse-temurin-17
ARG JRE_IMAGE=docker.io/library/eclipse-temurin:17-jre-jammy
ARG CUDA_IMAGE=docker.io/nvidia/cuda:11.6.2-cudnn8-runtime-ubuntu20.04

FROM ${BUILD_IMAGE} AS build
ARG BACKEND
# More Maven arguments, e.g. "-o -Dmaven.repo.local=/maven-repository" to build offline from a
# repository that the builder mounts (podman build --volume ~/.m2/repository:/maven-repository:O).
ARG MAVEN_EXTRA_ARGS=""
WORKDIR /workspace
# The dependencies first, in their own step: it is redone only when pom.xml changes, and the cache
# mount keeps the Maven repository between builds.
COPY pom.xml ./
RUN --mount=type=cache,id=loss-service-m2,target=/root/.m2,sharing=locked \
    mvn -B -ntp -q $(if [ "$BACKEND" = cuda ]; then echo -Pcuda; fi) ${MAVEN_EXTRA_ARGS} dependency:resolve
COPY src/main/ src/main/
RUN --mount=type=cache,id=loss-service-m2,target=/root/.m2,sharing=locked \
    mvn -B -ntp -q $(if [ "$BACKEND" = cuda ]; then echo -Pcuda; fi) ${MAVEN_EXTRA_ARGS} -Dmaven.test.skip=true package \
    && cp target/loss-service-*.jar application.jar \
    && java -Djarmode=tools -jar application.jar extract --layers --destination extracted

# The JRE of the CPU image, copied into the CUDA image.
FROM ${JRE_IMAGE} AS jre

FROM ${JRE_IMAGE} AS runtime-cpu

FROM ${CUDA_IMAGE} AS runtime-cuda
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH="${JAVA_HOME}/bin:${PATH}"
COPY --from=jre /opt/java/openjdk /opt/java/openjdk

FROM runtime-${BACKEND}
ARG BACKEND
LABEL org.opencontainers.image.title="loss-service" \
      org.opencontainers.image.description="Losses on demand (cross-entropy with label smoothing and its catalogue) over HTTP and gRPC, computed with ND4J" \
      org.opencontainers.image.licenses="Apache-2.0"

# A non-root user; the application files stay owned by root, so the user can change none of them.
# JavaCPP unpacks ND4J's native libraries into its cache directory at startup: the one writable place
# besides /tmp (a Kubernetes pod with a read-only root file system mounts emptyDir volumes on both).
RUN groupadd --system --gid 10001 loss \
    && useradd --system --uid 10001 --gid loss --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin loss \
    && mkdir -p /var/cache/javacpp \
    && chown loss:loss /var/cache/javacpp

WORKDIR /app
COPY --from=build /workspace/extracted/dependencies/ ./
COPY --from=build /workspace/extracted/spring-boot-loader/ ./
COPY --from=build /workspace/extracted/snapshot-dependencies/ ./
COPY --from=build /workspace/extracted/application/ ./
COPY deploy/healthcheck.sh /usr/local/bin/loss-service-healthcheck
# Class data sharing: a training run that starts the application up to its context refresh records the
# classes it loads into application.jsa, which every start then maps instead of loading and verifying them
# again (bench/startup.sh: 5.8 s to readiness against 11.1 s for java -jar on the fat jar, 2 cores). CPU
# image only: the CUDA backend needs a GPU to start.
RUN if [ "$BACKEND" = cpu ]; then \
        OMP_NUM_THREADS=1 java -XX:ArchiveClassesAtExit=application.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
            -Dspring.context.exit=onRefresh -Dloss.backend=cpu -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp-training \
            -jar application.jar \
        && rm -rf /tmp/javacpp-training; \
    fi

# Memory: the heap takes 40% of the container's limit; ND4J's off-heap arrays (JavaCPP) may take 50% of
# the heap, and the whole process (heap, off-heap, metaspace, threads) is kept under 210% of the heap,
# i.e. 84% of the limit, where JavaCPP throws OutOfMemoryError instead of the kernel killing the
# container. Replace JDK_JAVA_OPTIONS to change them (the Helm chart does, from its values).
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=40 -Dorg.bytedeco.javacpp.maxbytes=50% -Dorg.bytedeco.javacpp.maxphysicalbytes=210%"
ENV LOSS_BACKEND=${BACKEND}
# One ND4J (OpenMP, OpenBLAS) thread per operation: the service already runs one computation per core.
ENV OMP_NUM_THREADS=1

USER 10001:10001
EXPOSE 8080 8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 CMD ["loss-service-healthcheck"]
# -XX:SharedArchiveFile: a JVM that finds no archive (the CUDA image) starts without one.
ENTRYPOINT ["java", "-XX:SharedArchiveFile=application.jsa", "-Xlog:cds=off", "-Dorg.bytedeco.javacpp.cachedir=/var/cache/javacpp", "-Djava.io.tmpdir=/tmp", "-jar", "application.jar"]
