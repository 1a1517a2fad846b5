/**
 * Helpers shared by the library's own packages. Not API: public only so that the core's packages can share them,
 * and they may change in any release.
 */
package dev.ratelimit.internal;
