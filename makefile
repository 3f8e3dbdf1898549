#
# makefile: the WDK 7.1 build utility's entry point for echo.sys on Windows 7.
# Everything about echo.sys is in sources (and makefile.inc); this file only hands over
# to the build environment's common makefile. Today's WDK builds echo.vcxproj instead.
#
!INCLUDE $(NTMAKEENV)\makefile.def
