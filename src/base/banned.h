/*
 * banned.h - functions cardless never calls, as git bans them: unbounded copies and
 * formatting, and tokenizers with hidden state. Include last in every .c file.
 */
#ifndef CARDLESS_BANNED_H
#define CARDLESS_BANNED_H

#define CL_BANNED(f) sorry_##f##_is_banned_in_cardless

#undef strcpy
#define strcpy(x, y) CL_BANNED(strcpy)
#undef strcat
#define strcat(x, y) CL_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) CL_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) CL_BANNED(strncat)
#undef sprintf
#define sprintf(...) CL_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) CL_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) CL_BANNED(strtok)
#undef gets
#define gets(x) CL_BANNED(gets)
#undef atoi
#define atoi(x) CL_BANNED(atoi)
#undef gmtime
#define gmtime(x) CL_BANNED(gmtime)
#undef localtime
#define localtime(x) CL_BANNED(localtime)

#endif /* CARDLESS_BANNED_H */
