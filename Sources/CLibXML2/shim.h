#ifndef THREADLINE_CLIBXML2_SHIM_H
#define THREADLINE_CLIBXML2_SHIM_H
// libxml2's encoding.h pulls in the system ICU headers when LIBXML_ICU_ENABLED is set; they clash
// with the Swift toolchain's own ICU. We never touch the ICU-only fields, so hide them.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>
#include <libxml/tree.h>
#endif
