/**
 * Servlet binding: a {@code jakarta.servlet.Filter} that enforces rate limits declared in {@code web.xml}.
 *
 * <p>The filter is delivered by the servlet issue; this module so far only fixes its place in the build.
 */
package dev.ratelimit.servlet;
