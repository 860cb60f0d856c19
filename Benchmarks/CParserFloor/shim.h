#ifndef THREADLINE_CPARSERFLOOR_SHIM_H
#define THREADLINE_CPARSERFLOOR_SHIM_H
// libyaml and libxml2, called directly by parser-floor. As in the root package's CLibXML2: libxml2's
// encoding.h would pull in the system ICU headers, which clash with the Swift toolchain's own ICU.
#include <yaml.h>
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>
#endif
