/**
 * Draws the map with WebGL2: every point as a round dot (one draw call for 100,000 points, or
 * only the points inside the canvas when zoomed in; while the map moves, a thinner sample of
 * them when there are too many to draw in a frame), and the thumbnails of the points in view as
 * instanced quads from a texture atlas. The canvas is larger than the view (see MapCanvas): while
 * panning and zooming it is only moved by the compositor, and drawn again once the motion settles.
 */

import { m } from "../i18n";
import type { Bounds, Camera, Viewport } from "./camera";
import { visibleBounds } from "./camera";
import { LINE_FRAGMENT, LINE_VERTEX, POINT_FRAGMENT, POINT_VERTEX, THUMB_FRAGMENT, THUMB_VERTEX } from "./shaders";

export const ATLAS_SIZE = 2048;
export const CELL = 64;
export const CELLS = ATLAS_SIZE / CELL;

function compile(gl: WebGL2RenderingContext, vertex: string, fragment: string): WebGLProgram {
  const program = gl.createProgram();
  for (const [type, source] of [[gl.VERTEX_SHADER, vertex], [gl.FRAGMENT_SHADER, fragment]] as const) {
    const shader = gl.createShader(type)!;
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader) ?? "shader error");
    gl.attachShader(program, shader);
  }
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program) ?? "link error");
  return program;
}

export class MapRenderer {
  private readonly gl: WebGL2RenderingContext;
  private readonly points: WebGLProgram;
  private readonly thumbs: WebGLProgram;
  private readonly pointVao: WebGLVertexArrayObject;
  /** The same points' attributes, drawn through the thinned order (``setOrder``). */
  private readonly thinVao: WebGLVertexArrayObject;
  private readonly thumbVao: WebGLVertexArrayObject;
  private readonly position: WebGLBuffer;
  private readonly color: WebGLBuffer;
  private readonly flag: WebGLBuffer;
  private readonly elements: WebGLBuffer;
  private readonly thinElements: WebGLBuffer;
  private thinCount = 0;
  private readonly instances: WebGLBuffer;
  private readonly atlas: WebGLTexture;
  private readonly lines: WebGLProgram;
  private readonly lineVao: WebGLVertexArrayObject;
  private readonly outline: WebGLBuffer;
  private outlineCount = 0;
  private count = 0;
  private thumbCount = 0;
  /** Times the map was drawn, and of those with the thinned points (for the benchmark). */
  renders = 0;
  thinRenders = 0;
  /** Points the last draw drew (cells around the canvas, or all of its order). */
  drawnPoints = 0;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const gl = canvas.getContext("webgl2", { antialias: false, premultipliedAlpha: true, preserveDrawingBuffer: false });
    if (!gl) throw new Error(m.map_no_webgl());
    this.gl = gl;
    this.points = compile(gl, POINT_VERTEX, POINT_FRAGMENT);
    this.thumbs = compile(gl, THUMB_VERTEX, THUMB_FRAGMENT);

    this.position = gl.createBuffer()!;
    this.color = gl.createBuffer()!;
    this.flag = gl.createBuffer()!;
    this.elements = gl.createBuffer()!;
    this.thinElements = gl.createBuffer()!;
    this.pointVao = this.pointArray(this.elements);
    this.thinVao = this.pointArray(this.thinElements);

    const corners = gl.createBuffer()!;
    gl.bindBuffer(gl.ARRAY_BUFFER, corners);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([0, 0, 1, 0, 0, 1, 1, 1]), gl.STATIC_DRAW);

    this.thumbVao = gl.createVertexArray()!;
    gl.bindVertexArray(this.thumbVao);
    gl.bindBuffer(gl.ARRAY_BUFFER, corners);
    const corner = gl.getAttribLocation(this.thumbs, "a_corner");
    gl.enableVertexAttribArray(corner);
    gl.vertexAttribPointer(corner, 2, gl.FLOAT, false, 0, 0);
    this.instances = gl.createBuffer()!;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.instances);
    const inst = gl.getAttribLocation(this.thumbs, "a_inst");
    gl.enableVertexAttribArray(inst);
    gl.vertexAttribPointer(inst, 3, gl.FLOAT, false, 0, 0);
    gl.vertexAttribDivisor(inst, 1);
    gl.bindVertexArray(null);

    this.atlas = this.texture(ATLAS_SIZE, ATLAS_SIZE);

    this.lines = compile(gl, LINE_VERTEX, LINE_FRAGMENT);
    this.lineVao = gl.createVertexArray()!;
    gl.bindVertexArray(this.lineVao);
    this.outline = gl.createBuffer()!;
    this.attribute(this.lines, this.outline, "a_pos", 2, gl.FLOAT, false);
    gl.bindVertexArray(null);
  }

  /** A vertex array of the points' attributes, indexed by ``elements``. */
  private pointArray(elements: WebGLBuffer): WebGLVertexArrayObject {
    const gl = this.gl;
    const vao = gl.createVertexArray()!;
    gl.bindVertexArray(vao);
    this.attribute(this.points, this.position, "a_pos", 2, gl.FLOAT, false);
    this.attribute(this.points, this.color, "a_color", 4, gl.UNSIGNED_BYTE, true);
    this.attribute(this.points, this.flag, "a_flag", 1, gl.UNSIGNED_BYTE, false);
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, elements);
    gl.bindVertexArray(null);
    return vao;
  }

  /** Line segments drawn under the points (``[x0, y0, x1, y1] * n``; empty: none). */
  setOutline(segments: Float32Array): void {
    this.outlineCount = segments.length / 2;
    this.gl.bindBuffer(this.gl.ARRAY_BUFFER, this.outline);
    this.gl.bufferData(this.gl.ARRAY_BUFFER, segments, this.gl.STATIC_DRAW);
  }

  private texture(width: number, height: number): WebGLTexture {
    const gl = this.gl;
    const texture = gl.createTexture()!;
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, width, height);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    return texture;
  }

  private attribute(program: WebGLProgram, buffer: WebGLBuffer, name: string, size: number, type: number, normalized: boolean): void {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    const location = gl.getAttribLocation(program, name);
    gl.enableVertexAttribArray(location);
    gl.vertexAttribPointer(location, size, type, normalized, 0, 0);
  }

  /** ``xy (2n)`` world positions. */
  setPoints(xy: Float32Array): void {
    const gl = this.gl;
    this.count = xy.length / 2;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.position);
    gl.bufferData(gl.ARRAY_BUFFER, xy, gl.STATIC_DRAW);
    this.setFlags(new Uint8Array(this.count));
  }

  /** The points in the order of the map's grid index (``GridIndex.order``), and of its thinned
   *  version (``thinIndex``): ``render`` draws the cells in view as runs of either, so zooming in
   *  uploads nothing. */
  setOrder(order: Uint32Array, thinned: Uint32Array): void {
    const gl = this.gl;
    for (const [vao, indices] of [[this.pointVao, order], [this.thinVao, thinned]] as const) {
      gl.bindVertexArray(vao);
      gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, indices, gl.STATIC_DRAW);
    }
    gl.bindVertexArray(null);
    this.thinCount = thinned.length;
  }

  /** ``rgba (4n)`` colours, 0..255. */
  setColors(rgba: Uint8Array): void {
    this.gl.bindBuffer(this.gl.ARRAY_BUFFER, this.color);
    this.gl.bufferData(this.gl.ARRAY_BUFFER, rgba, this.gl.STATIC_DRAW);
  }

  /** ``flags (n)``: 1 for selected points (drawn larger, outlined). */
  setFlags(flags: Uint8Array): void {
    this.gl.bindBuffer(this.gl.ARRAY_BUFFER, this.flag);
    this.gl.bufferData(this.gl.ARRAY_BUFFER, flags, this.gl.DYNAMIC_DRAW);
  }

  /** Thumbnails to draw: ``[x, y, slot] * count``. */
  setThumbs(instances: Float32Array, count: number): void {
    this.thumbCount = count;
    this.gl.bindBuffer(this.gl.ARRAY_BUFFER, this.instances);
    this.gl.bufferData(this.gl.ARRAY_BUFFER, instances.subarray(0, count * 3), this.gl.DYNAMIC_DRAW);
  }

  uploadThumb(slot: number, source: TexImageSource): void {
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, this.atlas);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, (slot % CELLS) * CELL, Math.floor(slot / CELLS) * CELL, CELL, CELL, gl.RGBA, gl.UNSIGNED_BYTE, source);
  }

  private uniforms(program: WebGLProgram, camera: Camera, view: Viewport): void {
    const gl = this.gl;
    gl.uniform2f(gl.getUniformLocation(program, "u_center"), camera.x, camera.y);
    gl.uniform1f(gl.getUniformLocation(program, "u_scale"), camera.scale);
    gl.uniform2f(gl.getUniformLocation(program, "u_view"), view.width, view.height);
  }

  /**
   * Draw everything for ``camera`` on a canvas of ``view`` CSS pixels. ``inRect`` gives the
   * points around a world rectangle as runs ``[start, count, ...]`` of one of the orders given
   * to ``setOrder`` (``thin`` says which; runs null when most points are there: all of that
   * order are drawn). ``resolution`` below 1 draws fewer pixels (the same points, blurred by
   * the stretch) while the map moves.
   */
  render(
    camera: Camera,
    view: Viewport,
    pointSize: number,
    thumbSize: number,
    inRect: (rect: Bounds) => { runs: Uint32Array | null; thin: boolean },
    resolution = 1,
  ): void {
    const gl = this.gl;
    const dpr = (window.devicePixelRatio || 1) * resolution;
    const width = Math.round(view.width * dpr);
    const height = Math.round(view.height * dpr);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    gl.viewport(0, 0, width, height);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    if (this.outlineCount > 0) {
      gl.useProgram(this.lines);
      this.uniforms(this.lines, camera, view);
      gl.uniform4f(gl.getUniformLocation(this.lines, "u_color"), 0.42, 0.45, 0.5, 0.55); // premultiplied grey
      gl.bindVertexArray(this.lineVao);
      gl.drawArrays(gl.LINES, 0, this.outlineCount);
    }
    gl.useProgram(this.points);
    this.uniforms(this.points, camera, view);
    gl.uniform1f(gl.getUniformLocation(this.points, "u_size"), pointSize);
    gl.uniform1f(gl.getUniformLocation(this.points, "u_dpr"), dpr);
    const { runs, thin } = inRect(visibleBounds(camera, view));
    gl.bindVertexArray(thin ? this.thinVao : this.pointVao);
    if (thin) this.thinRenders++;
    this.drawnPoints = 0;
    if (runs) {
      for (let k = 0; k < runs.length; k += 2) {
        gl.drawElements(gl.POINTS, runs[k + 1]!, gl.UNSIGNED_INT, 4 * runs[k]!);
        this.drawnPoints += runs[k + 1]!;
      }
    } else if (thin) {
      gl.drawElements(gl.POINTS, this.thinCount, gl.UNSIGNED_INT, 0);
      this.drawnPoints = this.thinCount;
    } else {
      gl.drawArrays(gl.POINTS, 0, this.count);
      this.drawnPoints = this.count;
    }
    if (this.thumbCount > 0) {
      gl.useProgram(this.thumbs);
      this.uniforms(this.thumbs, camera, view);
      gl.uniform1f(gl.getUniformLocation(this.thumbs, "u_thumb"), thumbSize);
      gl.uniform1f(gl.getUniformLocation(this.thumbs, "u_cells"), CELLS);
      gl.activeTexture(gl.TEXTURE0);
      gl.bindTexture(gl.TEXTURE_2D, this.atlas);
      gl.uniform1i(gl.getUniformLocation(this.thumbs, "u_atlas"), 0);
      gl.bindVertexArray(this.thumbVao);
      gl.drawArraysInstanced(gl.TRIANGLE_STRIP, 0, 4, this.thumbCount);
    }
    gl.bindVertexArray(null);
    this.renders++;
  }

  dispose(): void {
    this.gl.getExtension("WEBGL_lose_context")?.loseContext();
  }
}
